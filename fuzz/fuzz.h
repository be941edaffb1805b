/*
 * fuzz.h - the libFuzzer entry point, declared for -Wmissing-prototypes.
 */
#ifndef NPKD_FUZZ_FUZZ_H
#define NPKD_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#endif /* NPKD_FUZZ_FUZZ_H */
