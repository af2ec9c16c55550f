// SPDX-License-Identifier: MIT
/*
 * Character devices (misc devices and cdevs) and the files clients open on
 * them. A client of the driver process names a device as Linux's devtmpfs
 * would ("watchdog", "watchdog0"), opens it, and then reads, writes, calls
 * ioctl and releases through the chardev protocol (kernel/api/protocols/
 * chardev.h; linux_env/kit/ serves it). Each call runs the driver's own
 * file_operations, with user memory being what the client lent for that
 * request (uaccess.c).
 *
 * A file belongs to the client that opened it: no other client can use it.
 * One that ends without releasing leaves its files open, as a Linux process
 * killed with a device open would until its files are closed; here they stay
 * open for the life of the driver process (a watchdog left open and unpinged
 * so fires, as it should).
 */
#include <linux/cdev.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/device.h>
#include <linux/slab.h>
#include <linux/export.h>

#include "linux_env/kit/lx_kit.h"

enum { LX_FILES_MAX = 16, LX_DYNAMIC_MAJOR_FIRST = 234 };

static LIST_HEAD(lx_misc_devices);
static LIST_HEAD(lx_cdevs);
/* Devices added with cdev_device_add: name -> dev_t. */
struct lx_named_device {
	struct list_head link;
	struct device *dev;
};
static LIST_HEAD(lx_named_devices);
static unsigned int lx_next_major = LX_DYNAMIC_MAJOR_FIRST;
static unsigned int lx_next_misc_minor = 64;

struct lx_open_file {
	struct file *file;
	unsigned long owner;
};
static struct lx_open_file lx_files[LX_FILES_MAX];

/* --- registration --- */

int misc_register(struct miscdevice *misc)
{
	struct device *dev;

	if (misc->minor == MISC_DYNAMIC_MINOR)
		misc->minor = lx_next_misc_minor++;
	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	device_initialize(dev);
	dev->parent = misc->parent;
	dev->devt = MKDEV(MISC_MAJOR, misc->minor);
	dev_set_drvdata(dev, misc);
	if (dev_set_name(dev, "%s", misc->name)) {
		kfree(dev);
		return -ENOMEM;
	}
	misc->this_device = dev;
	INIT_LIST_HEAD(&misc->list);
	list_add_tail(&misc->list, &lx_misc_devices);
	return 0;
}
EXPORT_SYMBOL(misc_register);

void misc_deregister(struct miscdevice *misc)
{
	list_del_init(&misc->list);
	put_device(misc->this_device);
	misc->this_device = NULL;
}
EXPORT_SYMBOL(misc_deregister);

int alloc_chrdev_region(dev_t *dev, unsigned int baseminor, unsigned int count, const char *name)
{
	*dev = MKDEV(lx_next_major++, baseminor);
	return 0;
}
EXPORT_SYMBOL(alloc_chrdev_region);

int register_chrdev_region(dev_t from, unsigned int count, const char *name)
{
	return 0;
}
EXPORT_SYMBOL(register_chrdev_region);

void unregister_chrdev_region(dev_t from, unsigned int count)
{
}
EXPORT_SYMBOL(unregister_chrdev_region);

void cdev_init(struct cdev *cdev, const struct file_operations *fops)
{
	memset(cdev, 0, sizeof(*cdev));
	INIT_LIST_HEAD(&cdev->list);
	kref_init(&cdev->kobj.kref);
	cdev->ops = fops;
}
EXPORT_SYMBOL(cdev_init);

int cdev_add(struct cdev *cdev, dev_t dev, unsigned int count)
{
	cdev->dev = dev;
	cdev->count = count;
	list_add_tail(&cdev->list, &lx_cdevs);
	return 0;
}
EXPORT_SYMBOL(cdev_add);

void cdev_del(struct cdev *cdev)
{
	list_del_init(&cdev->list);
}
EXPORT_SYMBOL(cdev_del);

int device_add(struct device *dev)
{
	struct lx_named_device *named = kzalloc(sizeof(*named), GFP_KERNEL);

	if (!named)
		return -ENOMEM;
	get_device(dev);
	named->dev = dev;
	list_add_tail(&named->link, &lx_named_devices);
	return 0;
}
EXPORT_SYMBOL_GPL(device_add);

void device_del(struct device *dev)
{
	struct lx_named_device *named, *next;

	list_for_each_entry_safe(named, next, &lx_named_devices, link) {
		if (named->dev != dev)
			continue;
		list_del(&named->link);
		kfree(named);
		put_device(dev);
		return;
	}
}
EXPORT_SYMBOL_GPL(device_del);

int cdev_device_add(struct cdev *cdev, struct device *dev)
{
	int error = 0;

	if (dev->devt) {
		error = cdev_add(cdev, dev->devt, 1);
		if (error)
			return error;
	}
	error = device_add(dev);
	if (error && dev->devt)
		cdev_del(cdev);
	return error;
}
EXPORT_SYMBOL(cdev_device_add);

void cdev_device_del(struct cdev *cdev, struct device *dev)
{
	device_del(dev);
	if (dev->devt)
		cdev_del(cdev);
}
EXPORT_SYMBOL(cdev_device_del);

int stream_open(struct inode *inode, struct file *filp)
{
	filp->f_mode &= ~(FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE | FMODE_ATOMIC_POS);
	filp->f_mode |= FMODE_STREAM;
	return 0;
}
EXPORT_SYMBOL(stream_open);

int nonseekable_open(struct inode *inode, struct file *filp)
{
	filp->f_mode &= ~(FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE);
	return 0;
}
EXPORT_SYMBOL(nonseekable_open);

long compat_ptr_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return file->f_op->unlocked_ioctl ? file->f_op->unlocked_ioctl(file, cmd, arg) : -ENOIOCTLCMD;
}
EXPORT_SYMBOL(compat_ptr_ioctl);

/* --- files, for the kit --- */

static struct file *lx_new_file(const struct file_operations *fops, dev_t devt, struct cdev *cdev,
				unsigned int flags)
{
	struct file *file = kzalloc(sizeof(*file), GFP_KERNEL);
	struct inode *inode = kzalloc(sizeof(*inode), GFP_KERNEL);

	if (!file || !inode) {
		kfree(file);
		kfree(inode);
		return NULL;
	}
	inode->i_rdev = devt;
	inode->i_cdev = cdev;
	inode->i_mode = S_IFCHR;
	file->f_inode = inode;
	file->f_op = fops;
	file->f_flags = flags;
	file->f_mode = FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE;
	if ((flags & O_ACCMODE) != O_WRONLY)
		file->f_mode |= FMODE_READ | FMODE_CAN_READ;
	if ((flags & O_ACCMODE) != O_RDONLY)
		file->f_mode |= FMODE_WRITE | FMODE_CAN_WRITE;
	return file;
}

static void lx_free_file(struct file *file)
{
	kfree(file->f_inode);
	kfree(file);
}

/* A device by the name devtmpfs would give it: its file, ready to open. */
static struct file *lx_file_for(const char *name, unsigned int flags)
{
	struct miscdevice *misc;
	struct lx_named_device *named;

	list_for_each_entry(misc, &lx_misc_devices, list) {
		struct file *file;

		if (strcmp(misc->name, name))
			continue;
		file = lx_new_file(misc->fops, MKDEV(MISC_MAJOR, misc->minor), NULL, flags);
		if (file)
			file->private_data = misc;	/* as misc_open sets it */
		return file;
	}
	list_for_each_entry(named, &lx_named_devices, link) {
		struct cdev *cdev;

		if (strcmp(dev_name(named->dev), name))
			continue;
		list_for_each_entry(cdev, &lx_cdevs, list) {
			if (named->dev->devt >= cdev->dev && named->dev->devt < cdev->dev + cdev->count)
				return lx_new_file(cdev->ops, named->dev->devt, cdev, flags);
		}
	}
	return NULL;
}

int lx_emul_chardev_open(const char *name, unsigned int flags, unsigned long owner)
{
	struct file *file;
	int handle, error = 0;

	for (handle = 0; handle < LX_FILES_MAX && lx_files[handle].file; handle++)
		;
	if (handle == LX_FILES_MAX)
		return -EMFILE;
	file = lx_file_for(name, flags);
	if (!file)
		return -ENOENT;
	if (file->f_op->open)
		error = file->f_op->open(file->f_inode, file);
	if (error) {
		lx_free_file(file);
		return error;
	}
	lx_files[handle].file = file;
	lx_files[handle].owner = owner;
	return handle;
}

static struct file *lx_owned(int handle, unsigned long owner)
{
	if (handle < 0 || handle >= LX_FILES_MAX || !lx_files[handle].file || lx_files[handle].owner != owner)
		return NULL;
	return lx_files[handle].file;
}

long lx_emul_chardev_read(int handle, unsigned long owner, unsigned long count)
{
	struct file *file = lx_owned(handle, owner);

	if (!file)
		return -EBADF;
	if (!file->f_op->read)
		return -EINVAL;
	return file->f_op->read(file, (char __user *)LX_KIT_USER_BASE, count, &file->f_pos);
}

long lx_emul_chardev_write(int handle, unsigned long owner, unsigned long count)
{
	struct file *file = lx_owned(handle, owner);

	if (!file)
		return -EBADF;
	if (!file->f_op->write)
		return -EINVAL;
	return file->f_op->write(file, (const char __user *)LX_KIT_USER_BASE, count, &file->f_pos);
}

long lx_emul_chardev_ioctl(int handle, unsigned long owner, unsigned int cmd, unsigned long arg)
{
	struct file *file = lx_owned(handle, owner);

	if (!file)
		return -EBADF;
	if (!file->f_op->unlocked_ioctl)
		return -ENOTTY;
	return file->f_op->unlocked_ioctl(file, cmd, arg);
}

int lx_emul_chardev_release(int handle, unsigned long owner)
{
	struct file *file = lx_owned(handle, owner);
	int result = 0;

	if (!file)
		return -EBADF;
	if (file->f_op->release)
		result = file->f_op->release(file->f_inode, file);
	lx_files[handle].file = NULL;
	lx_free_file(file);
	return result;
}
