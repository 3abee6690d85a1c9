# 64-bit ARM Linux (arm64): current handsets.
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(UTKIT_TRIPLE aarch64-linux-gnu)
set(UTKIT_QEMU qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)
