/* A counting allocator: the link wraps malloc, calloc, realloc and free
 * (-Wl,--wrap=...), so every allocation of the SDK, libstdc++'s operator
 * new, mbedTLS and pugixml passes here. Each block carries its size in an
 * 8-byte header (alignment kept), so the live and peak byte counts are the
 * sizes the program asked for; board_heap().sbrk_bytes adds what the
 * allocator itself took. */
#include <stdint.h>
#include <string.h>

#include "board.h"

void* __real_malloc(size_t size);
void* __real_realloc(void* p, size_t size);
void __real_free(void* p);
size_t board_sbrk_bytes(void);
size_t board_heap_limit(void);

#define HEADER 8u
static size_t live, peak, count;

static void add(size_t n) {
  live += n;
  if (live > peak) peak = live;
}

void* __wrap_malloc(size_t size) {
  if (size > SIZE_MAX - HEADER) return NULL;
  unsigned char* p = __real_malloc(size + HEADER);
  if (p == NULL) return NULL;
  memcpy(p, &size, sizeof size);
  add(size);
  count++;
  return p + HEADER;
}

void __wrap_free(void* ptr) {
  if (ptr == NULL) return;
  unsigned char* p = (unsigned char*)ptr - HEADER;
  size_t size;
  memcpy(&size, p, sizeof size);
  live -= size;
  __real_free(p);
}

void* __wrap_calloc(size_t n, size_t each) {
  if (each != 0 && n > SIZE_MAX / each) return NULL;
  void* p = __wrap_malloc(n * each);
  if (p != NULL) memset(p, 0, n * each);
  return p;
}

void* __wrap_realloc(void* ptr, size_t size) {
  if (ptr == NULL) return __wrap_malloc(size);
  if (size > SIZE_MAX - HEADER) return NULL;
  unsigned char* old = (unsigned char*)ptr - HEADER;
  size_t before;
  memcpy(&before, old, sizeof before);
  unsigned char* p = __real_realloc(old, size + HEADER);
  if (p == NULL) return NULL;
  memcpy(p, &size, sizeof size);
  live -= before;
  add(size);
  count++;
  return p + HEADER;
}

void board_heap_reset_peak(void) {
  peak = live;
  count = 0;
}

struct board_heap_stats board_heap(void) {
  struct board_heap_stats s = {live, peak, count, board_sbrk_bytes(), board_heap_limit()};
  return s;
}
