// SPDX-License-Identifier: MIT
/*
 * The slab allocator's interface (kmalloc, kfree, kmem_cache_*, kvmalloc) on
 * the process's own heap (lx_kit_alloc: an arena that starts empty at every
 * start of the process). Caches are only names and object sizes here: every
 * object is a heap block, so nothing is shared between caches and a freed
 * object goes straight back to the heap.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/gfp.h>

#include "linux_env/kit/lx_kit.h"

struct kmem_cache {
	const char *name;
	unsigned int size;
	unsigned int align;
	slab_flags_t flags;
	void (*ctor)(void *);
};

/* kmalloc() with a constant size names a cache of this table; the cache is
 * not used (the size is passed too), so the table stays empty. */
struct kmem_cache *kmalloc_caches[NR_KMALLOC_TYPES][KMALLOC_SHIFT_HIGH + 1] __ro_after_init;
EXPORT_SYMBOL(kmalloc_caches);

static void *lx_alloc(size_t size, gfp_t flags, size_t align)
{
	void *block;

	if (size == 0)
		return ZERO_SIZE_PTR;
	block = lx_kit_alloc(size, align < ARCH_KMALLOC_MINALIGN ? ARCH_KMALLOC_MINALIGN : align);
	if (block && (flags & __GFP_ZERO))
		memset(block, 0, size);
	return block;
}

void *__kmalloc(size_t size, gfp_t flags)
{
	return lx_alloc(size, flags, 0);
}
EXPORT_SYMBOL(__kmalloc);

void *__kmalloc_node(size_t size, gfp_t flags, int node)
{
	return lx_alloc(size, flags, 0);
}
EXPORT_SYMBOL(__kmalloc_node);

void *kmalloc_trace(struct kmem_cache *s, gfp_t flags, size_t size)
{
	return lx_alloc(size, flags, 0);
}
EXPORT_SYMBOL(kmalloc_trace);

void *kmalloc_node_trace(struct kmem_cache *s, gfp_t flags, int node, size_t size)
{
	return lx_alloc(size, flags, 0);
}
EXPORT_SYMBOL(kmalloc_node_trace);

void *kmalloc_large(size_t size, gfp_t flags)
{
	return lx_alloc(size, flags, PAGE_SIZE);
}
EXPORT_SYMBOL(kmalloc_large);

void *kmalloc_large_node(size_t size, gfp_t flags, int node)
{
	return lx_alloc(size, flags, PAGE_SIZE);
}
EXPORT_SYMBOL(kmalloc_large_node);

void *__kmalloc_node_track_caller(size_t size, gfp_t flags, int node, unsigned long caller)
{
	return lx_alloc(size, flags, 0);
}
EXPORT_SYMBOL(__kmalloc_node_track_caller);

void kfree(const void *block)
{
	if (ZERO_OR_NULL_PTR(block))
		return;
	lx_kit_free((void *)block);
}
EXPORT_SYMBOL(kfree);

void kfree_sensitive(const void *block)
{
	if (ZERO_OR_NULL_PTR(block))
		return;
	memzero_explicit((void *)block, lx_kit_block_size(block));
	kfree(block);
}
EXPORT_SYMBOL(kfree_sensitive);

size_t ksize(const void *block)
{
	return ZERO_OR_NULL_PTR(block) ? 0 : lx_kit_block_size(block);
}
EXPORT_SYMBOL(ksize);

void *krealloc(const void *block, size_t new_size, gfp_t flags)
{
	size_t old_size = ksize(block);
	void *moved;

	if (new_size == 0) {
		kfree(block);
		return ZERO_SIZE_PTR;
	}
	if (new_size <= old_size)
		return (void *)block;
	moved = lx_alloc(new_size, flags & ~__GFP_ZERO, 0);
	if (!moved)
		return NULL;
	if (old_size)
		memcpy(moved, block, old_size);
	if (flags & __GFP_ZERO)
		memset((char *)moved + old_size, 0, new_size - old_size);
	kfree(block);
	return moved;
}
EXPORT_SYMBOL(krealloc);

struct kmem_cache *kmem_cache_create_usercopy(const char *name, unsigned int size, unsigned int align,
					      slab_flags_t flags, unsigned int useroffset,
					      unsigned int usersize, void (*ctor)(void *))
{
	struct kmem_cache *cache = lx_alloc(sizeof(*cache), GFP_KERNEL | __GFP_ZERO, 0);

	if (!cache)
		return NULL;
	cache->name = name;
	cache->size = size;
	cache->align = (flags & SLAB_HWCACHE_ALIGN) && align < L1_CACHE_BYTES ? L1_CACHE_BYTES : align;
	cache->flags = flags;
	cache->ctor = ctor;
	return cache;
}
EXPORT_SYMBOL(kmem_cache_create_usercopy);

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
				     slab_flags_t flags, void (*ctor)(void *))
{
	return kmem_cache_create_usercopy(name, size, align, flags, 0, 0, ctor);
}
EXPORT_SYMBOL(kmem_cache_create);

void kmem_cache_destroy(struct kmem_cache *cache)
{
	kfree(cache);
}
EXPORT_SYMBOL(kmem_cache_destroy);

void *kmem_cache_alloc(struct kmem_cache *cache, gfp_t flags)
{
	void *object = lx_alloc(cache->size, flags, cache->align);

	if (object && cache->ctor)
		cache->ctor(object);
	return object;
}
EXPORT_SYMBOL(kmem_cache_alloc);

void *kmem_cache_alloc_node(struct kmem_cache *cache, gfp_t flags, int node)
{
	return kmem_cache_alloc(cache, flags);
}
EXPORT_SYMBOL(kmem_cache_alloc_node);

void *kmem_cache_alloc_lru(struct kmem_cache *cache, struct list_lru *lru, gfp_t flags)
{
	return kmem_cache_alloc(cache, flags);
}
EXPORT_SYMBOL(kmem_cache_alloc_lru);

void kmem_cache_free(struct kmem_cache *cache, void *object)
{
	kfree(object);
}
EXPORT_SYMBOL(kmem_cache_free);

void *kvmalloc_node(size_t size, gfp_t flags, int node)
{
	return lx_alloc(size, flags, 0);
}
EXPORT_SYMBOL(kvmalloc_node);

void kvfree(const void *block)
{
	kfree(block);
}
EXPORT_SYMBOL(kvfree);

void *vmalloc(unsigned long size)
{
	return lx_alloc(size, GFP_KERNEL, PAGE_SIZE);
}
EXPORT_SYMBOL(vmalloc);

void *vzalloc(unsigned long size)
{
	return lx_alloc(size, GFP_KERNEL | __GFP_ZERO, PAGE_SIZE);
}
EXPORT_SYMBOL(vzalloc);

void vfree(const void *block)
{
	kfree(block);
}
EXPORT_SYMBOL(vfree);

char *kstrdup(const char *text, gfp_t flags)
{
	size_t length;
	char *copy;

	if (!text)
		return NULL;
	length = strlen(text) + 1;
	copy = lx_alloc(length, flags & ~__GFP_ZERO, 0);
	if (copy)
		memcpy(copy, text, length);
	return copy;
}
EXPORT_SYMBOL(kstrdup);

const char *kstrdup_const(const char *text, gfp_t flags)
{
	return kstrdup(text, flags);
}
EXPORT_SYMBOL(kstrdup_const);

void kfree_const(const void *block)
{
	kfree(block);
}
EXPORT_SYMBOL(kfree_const);

void *kmemdup(const void *source, size_t length, gfp_t flags)
{
	void *copy = lx_alloc(length, flags & ~__GFP_ZERO, 0);

	if (copy)
		memcpy(copy, source, length);
	return copy;
}
EXPORT_SYMBOL(kmemdup);
