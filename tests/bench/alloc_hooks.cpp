#include "alloc_hooks.hpp"

#include <malloc.h>

#include <atomic>

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void __libc_free(void*);
}

namespace {
__thread bool t_counting = false;
__thread long t_current = 0;
__thread long t_peak = 0;
__thread long t_allocs = 0;

void note_alloc(void* p) {
  if (!t_counting || p == nullptr) return;
  ++t_allocs;
  t_current += static_cast<long>(malloc_usable_size(p));
  if (t_current > t_peak) t_peak = t_current;
}
void note_free(void* p) {
  if (t_counting && p != nullptr) t_current -= static_cast<long>(malloc_usable_size(p));
}
}  // namespace

extern "C" {
void* malloc(size_t n) {
  void* p = __libc_malloc(n);
  note_alloc(p);
  return p;
}
void* calloc(size_t a, size_t b) {
  void* p = __libc_calloc(a, b);
  note_alloc(p);
  return p;
}
void* realloc(void* old, size_t n) {
  note_free(old);
  void* p = __libc_realloc(old, n);
  note_alloc(p);
  return p;
}
void free(void* p) {
  note_free(p);
  __libc_free(p);
}
}

namespace bench {

void start_counting() {
  t_current = 0;
  t_peak = 0;
  t_allocs = 0;
  t_counting = true;
}

HeapCounts stop_counting() {
  t_counting = false;
  return {t_allocs, t_peak};
}

}  // namespace bench
