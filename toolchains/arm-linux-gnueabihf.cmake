# 32-bit ARM Linux, hard float (armhf): handsets and embedded Linux boards.
set(CMAKE_SYSTEM_PROCESSOR arm)
set(UTKIT_TRIPLE arm-linux-gnueabihf)
set(UTKIT_QEMU qemu-arm)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)
