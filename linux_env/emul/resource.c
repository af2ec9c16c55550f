// SPDX-License-Identifier: MIT
/*
 * Region reservations (request_region, request_mem_region). The process's
 * privileges already decide which ports and memory ranges it may touch, and
 * it is the only driver of its devices, so a reservation always succeeds; it
 * is kept so that the driver's release finds it again.
 */
#include <linux/ioport.h>
#include <linux/slab.h>
#include <linux/export.h>

static LIST_HEAD(lx_regions);

struct lx_region {
	struct list_head link;
	struct resource resource;
};

struct resource *__request_region(struct resource *parent, resource_size_t start, resource_size_t n,
				  const char *name, int flags)
{
	struct lx_region *region = kzalloc(sizeof(*region), GFP_KERNEL);

	if (!region)
		return NULL;
	region->resource.name = name;
	region->resource.start = start;
	region->resource.end = start + n - 1;
	region->resource.flags = (parent ? parent->flags : 0) | flags;
	region->resource.parent = parent;
	list_add_tail(&region->link, &lx_regions);
	return &region->resource;
}
EXPORT_SYMBOL(__request_region);

void __release_region(struct resource *parent, resource_size_t start, resource_size_t n)
{
	struct lx_region *region;

	list_for_each_entry(region, &lx_regions, link) {
		if (region->resource.parent != parent || region->resource.start != start)
			continue;
		list_del(&region->link);
		kfree(region);
		return;
	}
}
EXPORT_SYMBOL(__release_region);
