// SPDX-License-Identifier: MIT
/*
 * Network devices: what a NIC driver registers and calls, and the two ends
 * the C++ half drives for the system's net protocol (linux_env/kit/
 * net_server.cc): a frame to transmit goes to the driver's ndo_start_xmit,
 * and every frame the driver hands to netif_rx waits in a queue until a
 * client takes it. The first registered device is opened when the driver
 * process has started, as `ip link set up` would.
 */
#include <linux/netdevice.h>
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <net/pkt_sched.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/export.h>

#include "linux_env/kit/lx_kit.h"

enum { LX_RX_QUEUE_MAX = 64 };

static struct net_device *lx_netdev;		/* the first registered device */
static struct sk_buff_head lx_rx_queue;
static bool lx_rx_queue_ready;
static unsigned long lx_rx_dropped;
static unsigned int lx_next_eth;

struct lx_netdev_extra {
	unsigned char address[MAX_ADDR_LEN];
};

struct net_device *alloc_netdev_mqs(int sizeof_priv, const char *name, unsigned char name_assign_type,
				    void (*setup)(struct net_device *), unsigned int txqs, unsigned int rxqs)
{
	size_t bytes = ALIGN(sizeof(struct net_device), NETDEV_ALIGN) + sizeof_priv;
	struct net_device *dev = kzalloc(bytes, GFP_KERNEL);
	struct lx_netdev_extra *extra = kzalloc(sizeof(*extra), GFP_KERNEL);
	unsigned int queue;

	if (!dev || !extra || !txqs)
		goto fail;
	dev->_tx = kcalloc(txqs, sizeof(struct netdev_queue), GFP_KERNEL);
	if (!dev->_tx)
		goto fail;
	for (queue = 0; queue < txqs; queue++)
		dev->_tx[queue].dev = dev;
	dev->num_tx_queues = txqs;
	dev->real_num_tx_queues = txqs;
	dev->num_rx_queues = rxqs;
	dev->real_num_rx_queues = rxqs;
	dev->dev_addr = extra->address;
	dev->ml_priv = extra;
	strscpy(dev->name, name, sizeof(dev->name));
	device_initialize(&dev->dev);
	dev->gso_max_size = GSO_LEGACY_MAX_SIZE;
	setup(dev);
	return dev;
fail:
	if (dev)
		kfree(dev->_tx);
	kfree(dev);
	kfree(extra);
	return NULL;
}
EXPORT_SYMBOL(alloc_netdev_mqs);

void free_netdev(struct net_device *dev)
{
	if (!dev)
		return;
	kfree(dev->_tx);
	kfree(dev->ml_priv);
	kfree(dev);
}
EXPORT_SYMBOL(free_netdev);

void ether_setup(struct net_device *dev)
{
	dev->type = ARPHRD_ETHER;
	dev->hard_header_len = ETH_HLEN;
	dev->min_header_len = ETH_HLEN;
	dev->mtu = ETH_DATA_LEN;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_DATA_LEN;
	dev->addr_len = ETH_ALEN;
	dev->tx_queue_len = DEFAULT_TX_QUEUE_LEN;
	dev->flags = IFF_BROADCAST | IFF_MULTICAST;
	dev->priv_flags |= IFF_TX_SKB_SHARING;
	eth_broadcast_addr(dev->broadcast);
}
EXPORT_SYMBOL(ether_setup);

void dev_addr_mod(struct net_device *dev, unsigned int offset, const void *addr, size_t len)
{
	memcpy((unsigned char *)dev->dev_addr + offset, addr, len);
}
EXPORT_SYMBOL(dev_addr_mod);

int eth_mac_addr(struct net_device *dev, void *p)
{
	struct sockaddr *addr = p;

	if (!is_valid_ether_addr(addr->sa_data))
		return -EADDRNOTAVAIL;
	eth_hw_addr_set(dev, addr->sa_data);
	return 0;
}
EXPORT_SYMBOL(eth_mac_addr);

int eth_validate_addr(struct net_device *dev)
{
	return is_valid_ether_addr(dev->dev_addr) ? 0 : -EADDRNOTAVAIL;
}
EXPORT_SYMBOL(eth_validate_addr);

__be16 eth_type_trans(struct sk_buff *skb, struct net_device *dev)
{
	const struct ethhdr *eth;

	skb->dev = dev;
	skb_reset_mac_header(skb);
	eth = (const struct ethhdr *)skb->data;
	skb_pull_inline(skb, ETH_HLEN);
	if (is_multicast_ether_addr(eth->h_dest))
		skb->pkt_type = ether_addr_equal(eth->h_dest, dev->broadcast) ? PACKET_BROADCAST : PACKET_MULTICAST;
	else if (!ether_addr_equal(eth->h_dest, dev->dev_addr))
		skb->pkt_type = PACKET_OTHERHOST;
	return ntohs(eth->h_proto) >= ETH_P_802_3_MIN ? eth->h_proto : htons(ETH_P_802_2);
}
EXPORT_SYMBOL(eth_type_trans);

int register_netdev(struct net_device *dev)
{
	if (strchr(dev->name, '%'))
		scnprintf(dev->name, sizeof(dev->name), "eth%u", lx_next_eth++);
	dev->reg_state = NETREG_REGISTERED;
	set_bit(__LINK_STATE_PRESENT, &dev->state);
	if (dev->netdev_ops->ndo_init && dev->netdev_ops->ndo_init(dev))
		return -EIO;
	if (!lx_netdev)
		lx_netdev = dev;
	netdev_info(dev, "registered, address %pM\n", dev->dev_addr);
	return 0;
}
EXPORT_SYMBOL(register_netdev);

void unregister_netdev(struct net_device *dev)
{
	if ((dev->flags & IFF_UP) && dev->netdev_ops->ndo_stop)
		dev->netdev_ops->ndo_stop(dev);
	dev->flags &= ~IFF_UP;
	clear_bit(__LINK_STATE_START, &dev->state);
	dev->reg_state = NETREG_UNREGISTERED;
	if (lx_netdev == dev)
		lx_netdev = NULL;
}
EXPORT_SYMBOL(unregister_netdev);

void netif_device_detach(struct net_device *dev)
{
	clear_bit(__LINK_STATE_PRESENT, &dev->state);
	netif_tx_stop_all_queues(dev);
}
EXPORT_SYMBOL(netif_device_detach);

void netif_device_attach(struct net_device *dev)
{
	set_bit(__LINK_STATE_PRESENT, &dev->state);
	netif_tx_wake_all_queues(dev);
}
EXPORT_SYMBOL(netif_device_attach);

void netif_tx_wake_queue(struct netdev_queue *queue)
{
	clear_bit(__QUEUE_STATE_DRV_XOFF, &queue->state);
}
EXPORT_SYMBOL(netif_tx_wake_queue);

void netif_tx_stop_all_queues(struct net_device *dev)
{
	unsigned int queue;

	for (queue = 0; queue < dev->num_tx_queues; queue++)
		netif_tx_stop_queue(netdev_get_tx_queue(dev, queue));
}
EXPORT_SYMBOL(netif_tx_stop_all_queues);

void netif_carrier_on(struct net_device *dev)
{
	clear_bit(__LINK_STATE_NOCARRIER, &dev->state);
}
EXPORT_SYMBOL(netif_carrier_on);

void netif_carrier_off(struct net_device *dev)
{
	set_bit(__LINK_STATE_NOCARRIER, &dev->state);
}
EXPORT_SYMBOL(netif_carrier_off);

unsigned long dev_trans_start(struct net_device *dev)
{
	return READ_ONCE(netdev_get_tx_queue(dev, 0)->trans_start);
}
EXPORT_SYMBOL(dev_trans_start);

int netif_rx(struct sk_buff *skb)
{
	if (!lx_rx_queue_ready) {
		skb_queue_head_init(&lx_rx_queue);
		lx_rx_queue_ready = true;
	}
	if (skb_queue_len(&lx_rx_queue) >= LX_RX_QUEUE_MAX) {
		lx_rx_dropped++;
		kfree_skb(skb);
		return NET_RX_DROP;
	}
	__skb_queue_tail(&lx_rx_queue, skb);
	return NET_RX_SUCCESS;
}
EXPORT_SYMBOL(netif_rx);

#define LX_NETDEV_MESSAGE(fn)                                                \
void fn(const struct net_device *dev, const char *format, ...)              \
{                                                                              \
	struct va_format vaf;                                                  \
	va_list args;                                                          \
                                                                               \
	va_start(args, format);                                                \
	vaf.fmt = format;                                                      \
	vaf.va = &args;                                                        \
	_printk("%s: %pV", dev ? dev->name : "(no device)", &vaf);            \
	va_end(args);                                                          \
}                                                                              \
EXPORT_SYMBOL(fn);

LX_NETDEV_MESSAGE(netdev_err)
LX_NETDEV_MESSAGE(netdev_warn)
LX_NETDEV_MESSAGE(netdev_notice)
LX_NETDEV_MESSAGE(netdev_info)

void netdev_printk(const char *level, const struct net_device *dev, const char *format, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, format);
	vaf.fmt = format;
	vaf.va = &args;
	_printk("%s: %pV", dev ? dev->name : "(no device)", &vaf);
	va_end(args);
}
EXPORT_SYMBOL(netdev_printk);

/* --- for the kit --- */

int lx_emul_netdev_open(unsigned char *address)
{
	int error;

	if (!lx_netdev)
		return -ENODEV;
	/* As dev_open: the device counts as running from before ndo_open. */
	set_bit(__LINK_STATE_START, &lx_netdev->state);
	error = lx_netdev->netdev_ops->ndo_open ? lx_netdev->netdev_ops->ndo_open(lx_netdev) : 0;
	if (error) {
		clear_bit(__LINK_STATE_START, &lx_netdev->state);
		return error;
	}
	lx_netdev->flags |= IFF_UP;
	memcpy(address, lx_netdev->dev_addr, ETH_ALEN);
	return 0;
}

int lx_emul_netdev_can_transmit(void)
{
	return lx_netdev && (lx_netdev->flags & IFF_UP) &&
	       !netif_tx_queue_stopped(netdev_get_tx_queue(lx_netdev, 0));
}

int lx_emul_netdev_transmit(const void *frame, unsigned long length)
{
	struct sk_buff *skb;
	netdev_tx_t sent;

	if (!lx_emul_netdev_can_transmit())
		return -EBUSY;
	skb = netdev_alloc_skb(lx_netdev, length);
	if (!skb)
		return -ENOMEM;
	skb_put_data(skb, frame, length);
	skb->protocol = ((const struct ethhdr *)frame)->h_proto;
	sent = lx_netdev->netdev_ops->ndo_start_xmit(skb, lx_netdev);
	if (sent != NETDEV_TX_OK) {
		kfree_skb(skb);
		return -EBUSY;
	}
	return 0;
}

long lx_emul_netdev_receive(void *buffer, unsigned long capacity)
{
	struct sk_buff *skb;
	unsigned long length;

	if (!lx_rx_queue_ready || !(skb = __skb_dequeue(&lx_rx_queue)))
		return -EAGAIN;
	/* eth_type_trans pulled the Ethernet header: the frame starts at the MAC header. */
	length = skb->len + (skb->data - skb_mac_header(skb));
	memcpy(buffer, skb_mac_header(skb), min(length, capacity));
	kfree_skb(skb);
	return length;
}

void lx_emul_netdev_counters(unsigned long long *received, unsigned long long *dropped,
			     unsigned long long *sent, unsigned long long *errors)
{
	*received = lx_netdev ? lx_netdev->stats.rx_packets : 0;
	*dropped = lx_rx_dropped + (lx_netdev ? lx_netdev->stats.rx_dropped : 0);
	*sent = lx_netdev ? lx_netdev->stats.tx_packets : 0;
	*errors = lx_netdev ? lx_netdev->stats.tx_errors + lx_netdev->stats.rx_errors : 0;
}
