// The unit tests that run on the Cortex-M4 (tests/target/CMakeLists.txt
// lists them): doctest's runner with the semihosting command line as its
// arguments, its exit code as the firmware's.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

#include "board/board.h"

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int failed = context.run();
  std::printf("unit tests on the Cortex-M4: %s; main stack used %u of %u bytes, heap peak %u bytes\n",
              failed != 0 ? "FAILED" : "passed", static_cast<unsigned>(board_stack_used()),
              static_cast<unsigned>(board_stack_size()), static_cast<unsigned>(board_heap().peak));
  return failed;
}
