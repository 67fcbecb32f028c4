// zlib from the system, found through pkg-config (zlib): Data/Gzip.swift inflates gzip-compressed IDX files.
#include <zlib.h>
