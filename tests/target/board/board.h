/* The test board: QEMU's mps2-an386 (Arm MPS2, AN386 image, Cortex-M4).
 * What a utkit firmware needs from a board, in its simplest form:
 * startup (board/startup.c), a millisecond tick (SysTick), a bounded heap
 * (_sbrk), and here also ARM semihosting, which the tests use for the
 * console, the exit code, files on the host (test vectors, the CA) and the
 * byte pipes to the network (board/pipe_transport.cpp).
 * Measurement hooks: stack painting and heap counting (board/heap_count.c). */
#ifndef UTKIT_TARGET_BOARD_H
#define UTKIT_TARGET_BOARD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ARM semihosting operations (the ones the tests use). */
enum {
  SH_OPEN = 0x01,
  SH_CLOSE = 0x02,
  SH_WRITE0 = 0x04,
  SH_WRITE = 0x05,
  SH_READ = 0x06,
  SH_TIME = 0x11,
  SH_ERRNO = 0x13,
  SH_GET_CMDLINE = 0x15,
  SH_ELAPSED = 0x30,
  SH_TICKFREQ = 0x31,
};
/* One semihosting call: `op` with its parameter block; returns r0. */
int board_semihost(int op, void* arg);

/* Milliseconds since reset (SysTick at 1 kHz). A semihosting call stops
 * the CPU and the ticks it would have taken are lost: sleeps use this,
 * clocks use board_elapsed_ns(). */
uint32_t board_millis(void);
/* Nanoseconds since reset on the host's clock (semihosting SYS_ELAPSED),
 * right across semihosting calls. */
uint64_t board_elapsed_ns(void);
/* Seconds since 1970 from the host at reset (semihosting SYS_TIME). */
uint32_t board_boot_time(void);

/* Main stack: fills the unused part with a pattern, then reports the
 * deepest point reached since (bytes below the top of the stack). */
void board_stack_paint(void);
size_t board_stack_used(void);
size_t board_stack_size(void);

/* Heap: bytes the program holds (requested sizes, from the counting
 * wrappers around newlib's _malloc_r family, so newlib's own allocations
 * count too) now and at their peak since the last reset, allocation count,
 * and the RAM the allocator has taken from _sbrk (malloc's overhead, the
 * counter's 8-byte headers and fragmentation included: the high-water
 * mark of the program break). */
struct board_heap_stats {
  size_t live;
  size_t peak;
  size_t allocations;
  size_t sbrk_bytes;
  size_t extent_peak; /* the highest end of a block, from the start of the heap */
  size_t heap_limit;  /* bytes between the end of .bss and the stack */
};
void board_heap_reset_peak(void);
struct board_heap_stats board_heap(void);

#ifdef __cplusplus
}
#endif

#endif
