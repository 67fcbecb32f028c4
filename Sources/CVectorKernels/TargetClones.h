// The attribute that compiles a function once per x86-64 level and lets the loader choose (see
// VectorKernels.h); nothing elsewhere.
#ifndef KINDLING_TARGET_CLONES_H
#define KINDLING_TARGET_CLONES_H
#if defined(__x86_64__) && defined(__linux__)
#define KINDLING_CLONED __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define KINDLING_CLONED
#endif
#endif
