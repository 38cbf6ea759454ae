/* A small memory allocator: sockkit's malloc in static builds with musl
 * (see alloc.c for why and how). */
#ifndef SOCKKIT_ALLOC_H
#define SOCKKIT_ALLOC_H

#include <stddef.h>

/* As malloc, free, realloc and calloc: NULL with errno ENOMEM when memory
 * runs out.  alloc_malloc(0) returns a unique pointer (as musl's), and
 * alloc_realloc(p, n) returns p itself when n is no more than p holds
 * (0 included: p is not freed, unlike glibc's realloc(p, 0)). */
void *alloc_malloc(size_t n);
void alloc_free(void *p);
void *alloc_realloc(void *p, size_t n);
void *alloc_calloc(size_t count, size_t n);

/* The bytes a block can hold (at least what was asked for). */
size_t alloc_usable(const void *p);

#endif
