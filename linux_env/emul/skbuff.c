// SPDX-License-Identifier: MIT
/*
 * Socket buffers, as much as network drivers use: allocation with the
 * headroom Linux gives (NET_SKB_PAD), skb_put, freeing by reference count,
 * and the shared info after the data that Linux's inline helpers read
 * (timestamps, fragments: none here). Every buffer is linear.
 */
#include <linux/skbuff.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/export.h>

struct sk_buff *__alloc_skb(unsigned int size, gfp_t gfp_mask, int flags, int node)
{
	struct sk_buff *skb = kzalloc(sizeof(*skb), gfp_mask & ~__GFP_DMA);
	unsigned int data_size = SKB_DATA_ALIGN(size);
	u8 *data;

	if (!skb)
		return NULL;
	data = kmalloc(data_size + SKB_DATA_ALIGN(sizeof(struct skb_shared_info)), gfp_mask & ~__GFP_DMA);
	if (!data) {
		kfree(skb);
		return NULL;
	}
	skb->head = data;
	skb->data = data;
	skb_reset_tail_pointer(skb);
	skb_set_end_offset(skb, data_size);
	skb->mac_header = (typeof(skb->mac_header))~0U;
	skb->transport_header = (typeof(skb->transport_header))~0U;
	refcount_set(&skb->users, 1);
	memset(skb_shinfo(skb), 0, sizeof(struct skb_shared_info));
	atomic_set(&skb_shinfo(skb)->dataref, 1);
	return skb;
}
EXPORT_SYMBOL(__alloc_skb);

struct sk_buff *__netdev_alloc_skb(struct net_device *dev, unsigned int length, gfp_t gfp_mask)
{
	struct sk_buff *skb = __alloc_skb(length + NET_SKB_PAD, gfp_mask, 0, NUMA_NO_NODE);

	if (!skb)
		return NULL;
	skb_reserve(skb, NET_SKB_PAD);
	skb->dev = dev;
	return skb;
}
EXPORT_SYMBOL(__netdev_alloc_skb);

void *skb_put(struct sk_buff *skb, unsigned int len)
{
	void *tail = skb_tail_pointer(skb);

	skb->tail += len;
	skb->len += len;
	if (skb->tail > skb->end)
		panic("skb_put: %u bytes beyond the end of the buffer", skb->tail - skb->end);
	return tail;
}
EXPORT_SYMBOL(skb_put);

void *skb_push(struct sk_buff *skb, unsigned int len)
{
	skb->data -= len;
	skb->len += len;
	if (skb->data < skb->head)
		panic("skb_push: under the buffer's head");
	return skb->data;
}
EXPORT_SYMBOL(skb_push);

void *skb_pull(struct sk_buff *skb, unsigned int len)
{
	return skb_pull_inline(skb, len);
}
EXPORT_SYMBOL(skb_pull);

static void lx_skb_free(struct sk_buff *skb)
{
	if (!skb || !refcount_dec_and_test(&skb->users))
		return;
	kfree(skb->head);
	kfree(skb);
}

void __dev_kfree_skb_any(struct sk_buff *skb, enum skb_free_reason reason)
{
	lx_skb_free(skb);
}
EXPORT_SYMBOL(__dev_kfree_skb_any);

void __dev_kfree_skb_irq(struct sk_buff *skb, enum skb_free_reason reason)
{
	lx_skb_free(skb);
}
EXPORT_SYMBOL(__dev_kfree_skb_irq);

void consume_skb(struct sk_buff *skb)
{
	lx_skb_free(skb);
}
EXPORT_SYMBOL(consume_skb);

void kfree_skb_reason(struct sk_buff *skb, enum skb_drop_reason reason)
{
	lx_skb_free(skb);
}
EXPORT_SYMBOL(kfree_skb_reason);

/* No hardware timestamps in a driver process. */
void skb_clone_tx_timestamp(struct sk_buff *skb)
{
}
EXPORT_SYMBOL_GPL(skb_clone_tx_timestamp);

bool skb_defer_rx_timestamp(struct sk_buff *skb)
{
	return false;
}
EXPORT_SYMBOL_GPL(skb_defer_rx_timestamp);

void skb_tstamp_tx(struct sk_buff *orig_skb, struct skb_shared_hwtstamps *hwtstamps)
{
}
EXPORT_SYMBOL_GPL(skb_tstamp_tx);
