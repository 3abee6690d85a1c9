// Heap accounting for the benchmarks: this object file interposes malloc,
// calloc, realloc and free (forwarding to glibc's __libc_* functions) and
// counts what the *current thread* allocates while counting is on, mbedTLS's
// allocations included (they go through the PLT). Benchmarks only.
#pragma once

#include <cstddef>

namespace bench {

struct HeapCounts {
  long allocations = 0;  // calls that returned memory
  long peak_bytes = 0;   // highest live total above the starting point
};

void start_counting();
HeapCounts stop_counting();

}  // namespace bench
