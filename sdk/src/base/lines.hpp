// Internal: the lines of a text, as views into it (the records the SDK keeps
// in the store are "key value" lines). No copy is made, so a record that
// holds a key leaves no unwiped copy behind, and no iostreams are needed.
#pragma once

#include <string_view>

namespace utkit::detail {

class Lines {
 public:
  explicit Lines(std::string_view text) : rest_(text) {}
  // The next line without its '\n' (as std::getline: a last line without
  // '\n' counts, an empty text has no line).
  bool next(std::string_view& line) {
    if (rest_.empty()) return false;
    const auto nl = rest_.find('\n');
    line = rest_.substr(0, nl);
    rest_ = nl == std::string_view::npos ? std::string_view() : rest_.substr(nl + 1);
    return true;
  }

 private:
  std::string_view rest_;
};

// The whitespace-separated words of a text, as views.
class Words {
 public:
  explicit Words(std::string_view text) : rest_(text) {}
  bool next(std::string_view& word) {
    const auto start = rest_.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos) {
      rest_ = {};
      return false;
    }
    rest_ = rest_.substr(start);
    const auto end = rest_.find_first_of(" \t\r\n");
    word = rest_.substr(0, end);
    rest_ = end == std::string_view::npos ? std::string_view() : rest_.substr(end);
    return true;
  }

 private:
  std::string_view rest_;
};

// "key value" -> key, value ("" when there is no space).
inline void split_key_value(std::string_view line, std::string_view& key, std::string_view& value) {
  const auto sp = line.find(' ');
  key = line.substr(0, sp);
  value = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
}

}  // namespace utkit::detail
