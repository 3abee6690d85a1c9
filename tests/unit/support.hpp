// Shared helpers for the unit tests: vector files and hex shorthands.
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "utkit/base/encoding.hpp"
#include "utkit/base/result.hpp"

namespace testsupport {

inline std::string vectors_path(const std::string& name) { return std::string(UTKIT_VECTORS_DIR) + "/" + name; }

// The non-comment, non-blank lines of a vector file, split on `sep` (' ' splits
// on runs of blanks).
inline std::vector<std::vector<std::string>> read_vector_lines(const std::string& name, char sep) {
  std::ifstream in(vectors_path(name));
  REQUIRE_MESSAGE(in.good(), "cannot open vector file " << vectors_path(name));
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    if (sep == ' ') {
      std::istringstream ss(line);
      std::string f;
      while (ss >> f) fields.push_back(f);
    } else {
      std::string f;
      std::istringstream ss(line);
      while (std::getline(ss, f, sep)) fields.push_back(f);
    }
    if (!fields.empty()) rows.push_back(fields);
  }
  return rows;
}

// "key value" lines of gba.txt: first occurrence of each key.
inline std::map<std::string, std::string> read_keyed(const std::string& name) {
  std::map<std::string, std::string> m;
  for (auto& row : read_vector_lines(name, ' ')) {
    if (row.size() >= 2 && !m.count(row[0])) m[row[0]] = row[1];
  }
  return m;
}

inline std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::string f;
  std::istringstream ss(text);
  while (std::getline(ss, f, sep)) out.push_back(f);
  return out;
}

inline utkit::Bytes hex(const std::string& h) {
  auto r = utkit::from_hex(h);
  REQUIRE_MESSAGE(r.ok(), "bad hex in test data: " << h);
  return std::move(r).value();
}

inline std::string hex_of(utkit::ByteView v) { return utkit::to_hex(v); }

}  // namespace testsupport
