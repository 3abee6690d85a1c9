/* Startup for QEMU's mps2-an386 (Cortex-M4): vector table, reset (copy
 * .data, clear .bss, paint the stack, start SysTick, C/C++ constructors,
 * main with its arguments from semihosting), a fault handler that reports
 * and exits, a bounded _sbrk and the measuring hooks of board.h. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "board.h"

extern uint32_t __data_load, __data_start, __data_end, __bss_start__, __bss_end__;
extern uint32_t __stack_top, __stack_bottom;
extern char __heap_start, __heap_limit;
extern void __libc_init_array(void);
extern void initialise_monitor_handles(void);
int main(int argc, char** argv);

void Reset_Handler(void);
void SysTick_Handler(void);
void Fault_Handler(void);

typedef void (*vector_t)(void);
__attribute__((section(".isr_vector"), used)) static const vector_t vectors[16] = {
    (vector_t)(uintptr_t)&__stack_top,
    Reset_Handler,
    Fault_Handler, /* NMI */
    Fault_Handler, /* HardFault */
    Fault_Handler, /* MemManage */
    Fault_Handler, /* BusFault */
    Fault_Handler, /* UsageFault */
    0, 0, 0, 0,
    Fault_Handler, /* SVCall */
    Fault_Handler, /* DebugMonitor */
    0,
    Fault_Handler, /* PendSV */
    SysTick_Handler,
};

/* What crtbegin.o would define: the module handle for __cxa_atexit. */
void* __dso_handle = &__dso_handle;

/* newlib's __libc_init_array/__libc_fini_array call these (crti/crtn are
 * not linked: this file is the startup code). `used`: a link with -flto
 * would drop them otherwise (newlib, which calls them, is not LTO code). */
__attribute__((used)) void _init(void) {}
__attribute__((used)) void _fini(void) {}

int board_semihost(int op, void* arg) {
  register int r0 __asm__("r0") = op;
  register void* r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

static volatile uint32_t millis;
static uint32_t boot_time;
static uint64_t boot_elapsed, tick_freq;
#define STACK_PATTERN 0xA5A5A5A5u

void SysTick_Handler(void) { millis++; }
uint32_t board_millis(void) { return millis; }
uint32_t board_boot_time(void) { return boot_time; }

static uint64_t host_ticks(void) {
  uint32_t t[2] = {0, 0};
  if (board_semihost(SH_ELAPSED, t) != 0) return 0;
  return ((uint64_t)t[1] << 32) | t[0];
}

uint64_t board_elapsed_ns(void) {
  const uint64_t ticks = host_ticks() - boot_elapsed;
  if (tick_freq == 0) return (uint64_t)millis * 1000000u;  /* no SYS_ELAPSED: SysTick */
  return ticks / tick_freq * 1000000000u + ticks % tick_freq * 1000000000u / tick_freq;
}

/* The core's wait (utkit/base/sync.hpp, builds without threads): sleep
 * until the tick has passed `ms` milliseconds. */
void utkit_platform_sleep_ms(uint32_t ms) {
  const uint32_t start = millis;
  while (millis - start < ms) __asm__ volatile("wfi");
}

static void start_systick(void) {
  volatile uint32_t* const syst = (volatile uint32_t*)0xE000E010u;
  syst[1] = 25000u - 1u;  /* RVR: 1 ms of the board's 25 MHz clock */
  syst[2] = 0;            /* CVR */
  syst[0] = 7u;           /* CSR: processor clock, interrupt, enable */
}

__attribute__((noinline)) void board_stack_paint(void) {
  uint32_t here;
  uint32_t* p = &__stack_bottom;
  /* Leave this frame and a margin alone. */
  uint32_t* limit = (uint32_t*)((uintptr_t)&here - 64u);
  while (p < limit) *p++ = STACK_PATTERN;
}

size_t board_stack_used(void) {
  const uint32_t* p = &__stack_bottom;
  while (p < &__stack_top && *p == STACK_PATTERN) p++;
  return (size_t)((uintptr_t)&__stack_top - (uintptr_t)p);
}

size_t board_stack_size(void) { return (size_t)((uintptr_t)&__stack_top - (uintptr_t)&__stack_bottom); }

/* A heap that ends where the stack begins: malloc fails (ENOMEM) there
 * instead of growing into the stack. */
static char* brk_now;
static char* brk_peak;
void* _sbrk(ptrdiff_t incr) {
  if (brk_now == NULL) brk_now = &__heap_start;
  if (incr > 0 && (size_t)incr > (size_t)(&__heap_limit - brk_now)) {
    errno = ENOMEM;
    return (void*)-1;
  }
  char* prev = brk_now;
  brk_now += incr;
  if (brk_now > brk_peak) brk_peak = brk_now;
  return prev;
}
/* The most the heap ever took from _sbrk. */
size_t board_sbrk_bytes(void) { return brk_peak == NULL ? 0 : (size_t)(brk_peak - &__heap_start); }
size_t board_heap_limit(void) { return (size_t)(&__heap_limit - &__heap_start); }

/* Arguments: the semihosting command line, split at spaces. */
static char cmdline[1024];
static char* argv_buf[32];

static int read_args(void) {
  struct {
    char* buf;
    int len;
  } block = {cmdline, (int)sizeof cmdline - 1};
  if (board_semihost(SH_GET_CMDLINE, &block) != 0) return 0;
  cmdline[block.len < 0 ? 0 : block.len] = '\0';
  int argc = 0;
  char* s = cmdline;
  while (*s != '\0' && argc < (int)(sizeof argv_buf / sizeof argv_buf[0]) - 1) {
    while (*s == ' ') *s++ = '\0';
    if (*s == '\0') break;
    argv_buf[argc++] = s;
    while (*s != '\0' && *s != ' ') s++;
  }
  argv_buf[argc] = NULL;
  return argc;
}

void Reset_Handler(void) {
  memcpy(&__data_start, &__data_load, (size_t)((char*)&__data_end - (char*)&__data_start));
  memset(&__bss_start__, 0, (size_t)((char*)&__bss_end__ - (char*)&__bss_start__));
  board_stack_paint();
  boot_time = (uint32_t)board_semihost(SH_TIME, NULL);
  boot_elapsed = host_ticks();
  if (boot_elapsed != 0) {
    const int freq = board_semihost(SH_TICKFREQ, NULL);
    tick_freq = freq > 0 ? (uint64_t)freq : 0;
  }
  start_systick();
  initialise_monitor_handles();
  __libc_init_array();
  int argc = read_args();
  exit(main(argc, argv_buf));
}

/* Any fault: say where, then end the run with a failure. */
__attribute__((used)) static void fault_report(const uint32_t* frame) {
  volatile uint32_t* const scb = (volatile uint32_t*)0xE000ED00u;
  static char text[160];
  uint32_t ipsr;
  __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
  snprintf(text, sizeof text, "FAULT: exception %lu, pc 0x%08lx, lr 0x%08lx, CFSR 0x%08lx, HFSR 0x%08lx, BFAR 0x%08lx\n",
           (unsigned long)(ipsr & 0x1ffu), (unsigned long)frame[6], (unsigned long)frame[5],
           (unsigned long)scb[0x28 / 4], (unsigned long)scb[0x2C / 4], (unsigned long)scb[0x38 / 4]);
  board_semihost(SH_WRITE0, text);
  _exit(70);
}

__attribute__((naked)) void Fault_Handler(void) {
  __asm__ volatile(
      "tst lr, #4\n"
      "ite eq\n"
      "mrseq r0, msp\n"
      "mrsne r0, psp\n"
      "b fault_report\n");
}
