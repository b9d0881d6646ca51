/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2025 The DPDK device emulation authors
 */

/*
 * Unit tests of the emulated device class (lib/emudev), driven through a
 * dummy provider defined here.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_emudev.h>
#include <rte_emudev_driver.h>
#include <rte_errno.h>
#include <rte_thread.h>

#include "test.h"

#include "emu_compat.h"

#define DUMMY_TYPE "dummy"
#define DUMMY_DRIVER "dummy_provider"
#define DUMMY_NB_QUEUES 4
#define DUMMY_NB_IRQS 3
#define DUMMY_NB_REGIONS 3
#define DUMMY_ATTR_MTU "mtu"
#define DUMMY_MTU_MIN 68
#define DUMMY_MTU_MAX 9000

/* Longest wait for another thread before a test fails (us). */
#define WAIT_TIMEOUT_US (5 * 1000 * 1000)

/* State of one dummy device, reached through dev->priv. */
struct dummy_dev {
	unsigned int nb_configure;
	unsigned int nb_start;
	unsigned int nb_stop;
	unsigned int nb_close;
	unsigned int nb_info;
	/* Returned once by the next call of the operation when non-zero. */
	int fail_configure;
	int fail_start;
	int fail_stop;
	int fail_close;
	/* dev_close releases the device. */
	bool release_on_close;
	uint32_t conf_value;
	uint32_t mtu;
	struct rte_emudev_mem_region regions[DUMMY_NB_REGIONS];
};

static struct dummy_dev dummies[RTE_MAX_EMUDEV];

static struct dummy_dev *
dummy_of(struct rte_emudev *dev)
{
	return dev->priv;
}

static int
dummy_take_failure(int *fail)
{
	int ret = *fail;

	*fail = 0;
	return ret;
}

static int
dummy_configure(struct rte_emudev *dev, const struct rte_emudev_conf *conf)
{
	struct dummy_dev *dd = dummy_of(dev);
	int ret;

	dd->nb_configure++;
	ret = dummy_take_failure(&dd->fail_configure);
	if (ret != 0)
		return ret;
	if (conf->conf_size != sizeof(dd->conf_value))
		return -EINVAL;
	memcpy(&dd->conf_value, conf->dev_conf, sizeof(dd->conf_value));
	return 0;
}

static int
dummy_start(struct rte_emudev *dev)
{
	struct dummy_dev *dd = dummy_of(dev);

	dd->nb_start++;
	return dummy_take_failure(&dd->fail_start);
}

static int
dummy_stop(struct rte_emudev *dev)
{
	struct dummy_dev *dd = dummy_of(dev);

	dd->nb_stop++;
	return dummy_take_failure(&dd->fail_stop);
}

static int
dummy_close(struct rte_emudev *dev)
{
	struct dummy_dev *dd = dummy_of(dev);
	int ret;

	dd->nb_close++;
	ret = dummy_take_failure(&dd->fail_close);
	if (ret != 0)
		return ret;
	if (dd->release_on_close)
		return rte_emudev_release(dev);
	return 0;
}

static int
dummy_info_get(struct rte_emudev *dev, struct rte_emudev_info *info)
{
	struct dummy_dev *dd = dummy_of(dev);

	dd->nb_info++;
	info->max_qp_num = DUMMY_NB_QUEUES / 2;
	info->max_irq_num = DUMMY_NB_IRQS;
	info->driver_name = DUMMY_DRIVER;
	/* Class-owned fields: the class must overwrite these. */
	strcpy(info->name, "bogus");
	info->state = RTE_EMUDEV_UNUSED;
	info->ready = true;
	return 0;
}

static int
dummy_get_mem_table(struct rte_emudev *dev, struct rte_emudev_mem_region *r,
		uint32_t max)
{
	struct dummy_dev *dd = dummy_of(dev);
	uint32_t i;

	for (i = 0; i < max && i < DUMMY_NB_REGIONS; i++)
		r[i] = dd->regions[i];
	return DUMMY_NB_REGIONS;
}

static int
dummy_get_queue_info(struct rte_emudev *dev, uint32_t qid,
		struct rte_emudev_q_info *info)
{
	if (qid >= DUMMY_NB_QUEUES)
		return -EINVAL;
	info->base_iova = 0x100000ULL * (qid + 1);
	info->size = 256 << qid;
	info->irq_vector = 1 + qid % (DUMMY_NB_IRQS - 1);
	info->enabled = (qid % 2) == 0;
	info->priv = dev->priv;
	return 0;
}

static int
dummy_get_irq_info(struct rte_emudev *dev __rte_unused, uint32_t vector,
		struct rte_emudev_irq_info *info)
{
	if (vector >= DUMMY_NB_IRQS)
		return -EINVAL;
	/* Vector 0 has no event fd: keep the class defaults. */
	if (vector != 0) {
		info->fd = 100 + vector;
		info->enabled = true;
	}
	return 0;
}

static int
dummy_get_attr(struct rte_emudev *dev, const char *name, void *attr,
		size_t size)
{
	struct dummy_dev *dd = dummy_of(dev);

	if (strcmp(name, DUMMY_ATTR_MTU) != 0)
		return -ENOENT;
	if (size != sizeof(dd->mtu))
		return -EINVAL;
	memcpy(attr, &dd->mtu, sizeof(dd->mtu));
	return 0;
}

static int
dummy_set_attr(struct rte_emudev *dev, const char *name, const void *attr,
		size_t size)
{
	struct dummy_dev *dd = dummy_of(dev);
	uint32_t mtu;

	if (strcmp(name, DUMMY_ATTR_MTU) != 0)
		return -ENOENT;
	if (size != sizeof(mtu))
		return -EINVAL;
	memcpy(&mtu, attr, sizeof(mtu));
	if (mtu < DUMMY_MTU_MIN || mtu > DUMMY_MTU_MAX)
		return -EINVAL;
	dd->mtu = mtu;
	return 0;
}

static const struct rte_emudev_ops dummy_ops = {
	.dev_configure = dummy_configure,
	.dev_start = dummy_start,
	.dev_stop = dummy_stop,
	.dev_close = dummy_close,
	.dev_info_get = dummy_info_get,
	.get_mem_table = dummy_get_mem_table,
	.get_queue_info = dummy_get_queue_info,
	.get_irq_info = dummy_get_irq_info,
	.get_attr = dummy_get_attr,
	.set_attr = dummy_set_attr,
};

/* A provider that implements nothing. */
static const struct rte_emudev_ops empty_ops;

/* Allocate a dummy device (NULL on failure, rte_errno set). */
static struct rte_emudev *
dummy_create(const char *name, uint16_t dev_id, const struct rte_emudev_ops *ops)
{
	struct rte_emudev *dev;
	struct dummy_dev *dd;
	uint32_t i;

	dev = rte_emudev_allocate(name, dev_id);
	if (dev == NULL)
		return NULL;
	dd = &dummies[dev->dev_id];
	memset(dd, 0, sizeof(*dd));
	dd->mtu = 1500;
	for (i = 0; i < DUMMY_NB_REGIONS; i++) {
		dd->regions[i].iova = 0x40000000ULL * (i + 1);
		dd->regions[i].size = 0x1000ULL << i;
		dd->regions[i].host_va = (void *)(uintptr_t)(0x7f0000000000ULL +
			0x100000000ULL * i);
	}
	dev->ops = ops;
	dev->type = DUMMY_TYPE;
	dev->priv = dd;
	return dev;
}

/* Release every device this test created (ours use dummy or empty ops). */
static void
release_test_devices(void)
{
	struct rte_emudev *dev;
	uint16_t id;

	for (id = 0; id < RTE_MAX_EMUDEV; id++) {
		dev = rte_emudev_get(id);
		if (dev != NULL && (dev->ops == &dummy_ops ||
				dev->ops == &empty_ops || dev->ops == NULL) &&
				strncmp(dev->name, "emu_test", 8) == 0)
			rte_emudev_release(dev);
	}
}

static int
test_setup(void)
{
	release_test_devices();
	return 0;
}

static void
test_teardown(void)
{
	release_test_devices();
}

static int
configure_u32(uint16_t dev_id, uint32_t value)
{
	struct rte_emudev_conf conf = {
		.dev_conf = &value,
		.conf_size = sizeof(value),
	};

	return rte_emudev_configure(dev_id, &conf);
}

static enum rte_emudev_state
state_of(uint16_t dev_id)
{
	struct rte_emudev_info info;

	if (rte_emudev_info_get(dev_id, &info) != 0)
		return RTE_EMUDEV_UNUSED;
	return info.state;
}

/* Allocation by name and id, duplicates, lookups. */
static int
test_emudev_allocate_lookup(void)
{
	uint16_t base = rte_emudev_count();
	struct rte_emudev *a, *b, *c;
	uint16_t id, seen;

	a = dummy_create("emu_test_a", RTE_EMUDEV_ID_ANY, &dummy_ops);
	TEST_ASSERT_NOT_NULL(a, "allocation by name failed: %d", rte_errno);
	TEST_ASSERT_EQUAL(strcmp(a->name, "emu_test_a"), 0, "wrong name");
	TEST_ASSERT_EQUAL(a->state, RTE_EMUDEV_ALLOCATED, "wrong state");
	TEST_ASSERT(!a->ready, "new device is ready");
	TEST_ASSERT(a->dev_id < RTE_MAX_EMUDEV, "id out of range");
	/* ID_ANY takes the lowest free id. */
	for (id = 0; id < a->dev_id; id++)
		TEST_ASSERT(rte_emudev_is_valid_id(id),
			"id %u was free but %u was chosen", id, a->dev_id);

	/* Explicit id: the highest one, unless another user holds it. */
	id = RTE_MAX_EMUDEV - 1;
	while (rte_emudev_is_valid_id(id))
		id--;
	b = dummy_create("emu_test_b", id, &dummy_ops);
	TEST_ASSERT_NOT_NULL(b, "allocation with id %u failed: %d", id,
		rte_errno);
	TEST_ASSERT_EQUAL(b->dev_id, id, "wrong id");
	TEST_ASSERT_EQUAL(rte_emudev_count(), base + 2, "wrong count");

	/* Duplicates. */
	rte_errno = 0;
	TEST_ASSERT_NULL(rte_emudev_allocate("emu_test_a", RTE_EMUDEV_ID_ANY),
		"duplicate name accepted");
	TEST_ASSERT_EQUAL(rte_errno, EEXIST, "duplicate name: errno %d",
		rte_errno);
	rte_errno = 0;
	TEST_ASSERT_NULL(rte_emudev_allocate("emu_test_c", b->dev_id),
		"duplicate id accepted");
	TEST_ASSERT_EQUAL(rte_errno, EEXIST, "duplicate id: errno %d",
		rte_errno);
	TEST_ASSERT_EQUAL(rte_emudev_count(), base + 2,
		"failed allocation changed the count");

	/* Lookups. */
	TEST_ASSERT_EQUAL(rte_emudev_get_dev_id("emu_test_a"), a->dev_id,
		"get_dev_id a");
	TEST_ASSERT_EQUAL(rte_emudev_get_dev_id("emu_test_b"), b->dev_id,
		"get_dev_id b");
	TEST_ASSERT_EQUAL(rte_emudev_get_dev_id("emu_test_none"), -ENODEV,
		"get_dev_id of an unknown name");
	TEST_ASSERT_EQUAL(rte_emudev_get_dev_id(NULL), -EINVAL,
		"get_dev_id(NULL)");
	TEST_ASSERT_EQUAL(rte_emudev_get_dev_id(""), -EINVAL,
		"get_dev_id(\"\")");
	TEST_ASSERT(rte_emudev_allocated("emu_test_a") == a, "allocated a");
	TEST_ASSERT(rte_emudev_allocated("emu_test_none") == NULL,
		"allocated of an unknown name");
	TEST_ASSERT(rte_emudev_allocated(NULL) == NULL, "allocated(NULL)");
	TEST_ASSERT(rte_emudev_get(b->dev_id) == b, "get b");
	TEST_ASSERT(rte_emudev_is_valid_id(a->dev_id), "a not valid");
	TEST_ASSERT(!rte_emudev_is_valid_id(RTE_MAX_EMUDEV),
		"RTE_MAX_EMUDEV valid");
	TEST_ASSERT(!rte_emudev_is_valid_id(RTE_EMUDEV_ID_ANY),
		"ID_ANY valid");
	TEST_ASSERT(rte_emudev_get(RTE_MAX_EMUDEV) == NULL,
		"get(RTE_MAX_EMUDEV)");

	/* Iteration visits exactly the devices in use. */
	seen = 0;
	RTE_EMUDEV_FOREACH(id) {
		TEST_ASSERT(rte_emudev_is_valid_id(id), "iterated unused %u",
			id);
		seen++;
	}
	TEST_ASSERT_EQUAL(seen, rte_emudev_count(), "iteration count");
	TEST_ASSERT_EQUAL(rte_emudev_find_next(b->dev_id + 1), RTE_MAX_EMUDEV,
		"find_next past the last device");
	TEST_ASSERT_EQUAL(rte_emudev_find_next(RTE_EMUDEV_ID_ANY),
		RTE_MAX_EMUDEV, "find_next(ID_ANY)");

	/* A released name and id can be reused. */
	id = a->dev_id;
	TEST_ASSERT_SUCCESS(rte_emudev_release(a), "release a");
	TEST_ASSERT(!rte_emudev_is_valid_id(id), "released id still valid");
	TEST_ASSERT_EQUAL(rte_emudev_get_dev_id("emu_test_a"), -ENODEV,
		"released name still found");
	TEST_ASSERT_EQUAL(rte_emudev_info_get(id, &(struct rte_emudev_info){0}),
		-ENODEV, "info of a released device");
	c = dummy_create("emu_test_a", id, &dummy_ops);
	TEST_ASSERT_NOT_NULL(c, "reallocation of a released slot failed");
	TEST_ASSERT_EQUAL(rte_emudev_count(), base + 2, "count after reuse");
	return TEST_SUCCESS;
}

/* Name and id validation, table exhaustion, release validation. */
static int
test_emudev_allocate_limits(void)
{
	char name[RTE_EMUDEV_NAME_MAX_LEN + 1];
	uint16_t base = rte_emudev_count();
	struct rte_emudev *dev, *first = NULL;
	struct rte_emudev copy;
	unsigned int n = 0;

	rte_errno = 0;
	TEST_ASSERT_NULL(rte_emudev_allocate(NULL, RTE_EMUDEV_ID_ANY),
		"NULL name accepted");
	TEST_ASSERT_EQUAL(rte_errno, EINVAL, "NULL name: errno %d", rte_errno);
	rte_errno = 0;
	TEST_ASSERT_NULL(rte_emudev_allocate("", RTE_EMUDEV_ID_ANY),
		"empty name accepted");
	TEST_ASSERT_EQUAL(rte_errno, EINVAL, "empty name: errno %d", rte_errno);

	/* RTE_EMUDEV_NAME_MAX_LEN - 1 characters fit, one more does not. */
	memset(name, 'x', sizeof(name));
	memcpy(name, "emu_test", 8);
	name[RTE_EMUDEV_NAME_MAX_LEN] = '\0';
	rte_errno = 0;
	TEST_ASSERT_NULL(rte_emudev_allocate(name, RTE_EMUDEV_ID_ANY),
		"name of %d characters accepted", RTE_EMUDEV_NAME_MAX_LEN);
	TEST_ASSERT_EQUAL(rte_errno, EINVAL, "long name: errno %d", rte_errno);
	name[RTE_EMUDEV_NAME_MAX_LEN - 1] = '\0';
	dev = dummy_create(name, RTE_EMUDEV_ID_ANY, &dummy_ops);
	TEST_ASSERT_NOT_NULL(dev, "name of %d characters refused",
		RTE_EMUDEV_NAME_MAX_LEN - 1);
	TEST_ASSERT_EQUAL(rte_emudev_get_dev_id(name), dev->dev_id,
		"longest name lookup");
	TEST_ASSERT_SUCCESS(rte_emudev_release(dev), "release");

	rte_errno = 0;
	TEST_ASSERT_NULL(rte_emudev_allocate("emu_test_id", RTE_MAX_EMUDEV),
		"id RTE_MAX_EMUDEV accepted");
	TEST_ASSERT_EQUAL(rte_errno, EINVAL, "bad id: errno %d", rte_errno);

	/* Fill the table. */
	for (;;) {
		snprintf(name, sizeof(name), "emu_test_fill%u", n);
		dev = dummy_create(name, RTE_EMUDEV_ID_ANY, &dummy_ops);
		if (dev == NULL)
			break;
		if (first == NULL)
			first = dev;
		n++;
		TEST_ASSERT(n <= RTE_MAX_EMUDEV, "more than RTE_MAX_EMUDEV");
	}
	TEST_ASSERT_EQUAL(rte_errno, ENOSPC, "full table: errno %d", rte_errno);
	TEST_ASSERT_EQUAL(n + base, RTE_MAX_EMUDEV, "allocated %u of %u", n,
		RTE_MAX_EMUDEV - base);
	TEST_ASSERT_EQUAL(rte_emudev_count(), RTE_MAX_EMUDEV, "count when full");
	/* A used explicit id is EEXIST even when the table is full. */
	rte_errno = 0;
	TEST_ASSERT_NULL(rte_emudev_allocate("emu_test_more", first->dev_id),
		"used id accepted");
	TEST_ASSERT_EQUAL(rte_errno, EEXIST, "used id: errno %d", rte_errno);

	/* Release validation. */
	TEST_ASSERT_EQUAL(rte_emudev_release(NULL), -EINVAL, "release(NULL)");
	memcpy(&copy, first, sizeof(copy));
	TEST_ASSERT_EQUAL(rte_emudev_release(&copy), -EINVAL,
		"release of a pointer outside the table");
	TEST_ASSERT_EQUAL(rte_emudev_release(
		(struct rte_emudev *)((char *)first + 1)), -EINVAL,
		"release of a misaligned pointer");
	TEST_ASSERT_SUCCESS(rte_emudev_release(first), "release first");
	TEST_ASSERT_EQUAL(rte_emudev_release(first), -EINVAL,
		"double release");
	dev = dummy_create("emu_test_more", RTE_EMUDEV_ID_ANY, &dummy_ops);
	TEST_ASSERT_NOT_NULL(dev, "allocation after a release in a full table");
	return TEST_SUCCESS;
}

/* Every valid and invalid transition of the state machine. */
static int
test_emudev_state_machine(void)
{
	struct rte_emudev *dev;
	struct dummy_dev *dd;
	uint16_t id;

	dev = dummy_create("emu_test_sm", RTE_EMUDEV_ID_ANY, &dummy_ops);
	TEST_ASSERT_NOT_NULL(dev, "allocation failed");
	id = dev->dev_id;
	dd = dummy_of(dev);

	/* ALLOCATED: start and stop are refused, close is allowed. */
	TEST_ASSERT_EQUAL(rte_emudev_start(id), -EINVAL, "start in ALLOCATED");
	TEST_ASSERT_EQUAL(rte_emudev_stop(id), -EALREADY, "stop in ALLOCATED");
	TEST_ASSERT_EQUAL(dd->nb_start + dd->nb_stop, 0u,
		"provider called for a refused transition");
	TEST_ASSERT_EQUAL(state_of(id), RTE_EMUDEV_ALLOCATED, "state");
	TEST_ASSERT_SUCCESS(rte_emudev_close(id), "close in ALLOCATED");
	TEST_ASSERT_EQUAL(dd->nb_close, 1u, "close op not called");
	TEST_ASSERT_EQUAL(state_of(id), RTE_EMUDEV_ALLOCATED, "state");

	/* ALLOCATED -> CONFIGURED, and CONFIGURED -> CONFIGURED. */
	TEST_ASSERT_SUCCESS(configure_u32(id, 7), "configure");
	TEST_ASSERT_EQUAL(dd->conf_value, 7u, "configuration not passed");
	TEST_ASSERT_EQUAL(state_of(id), RTE_EMUDEV_CONFIGURED, "state");
	TEST_ASSERT_EQUAL(rte_emudev_stop(id), -EALREADY, "stop in CONFIGURED");
	TEST_ASSERT_SUCCESS(configure_u32(id, 8), "reconfigure");
	TEST_ASSERT_EQUAL(dd->conf_value, 8u, "reconfiguration not passed");

	/* CONFIGURED -> STARTED; configure and start are refused there. */
	TEST_ASSERT_SUCCESS(rte_emudev_start(id), "start");
	TEST_ASSERT_EQUAL(state_of(id), RTE_EMUDEV_STARTED, "state");
	TEST_ASSERT_EQUAL(configure_u32(id, 9), -EBUSY, "configure in STARTED");
	TEST_ASSERT_EQUAL(dd->conf_value, 8u, "configured while started");
	TEST_ASSERT_EQUAL(rte_emudev_start(id), -EALREADY, "start in STARTED");
	TEST_ASSERT_EQUAL(dd->nb_start, 1u, "start op called twice");

	/* STARTED -> CONFIGURED -> STARTED. */
	TEST_ASSERT_SUCCESS(rte_emudev_stop(id), "stop");
	TEST_ASSERT_EQUAL(state_of(id), RTE_EMUDEV_CONFIGURED, "state");
	TEST_ASSERT_EQUAL(dd->nb_stop, 1u, "stop op count");
	TEST_ASSERT_SUCCESS(rte_emudev_start(id), "restart");

	/* close from STARTED stops first, then closes: ALLOCATED. */
	TEST_ASSERT_SUCCESS(rte_emudev_close(id), "close in STARTED");
	TEST_ASSERT_EQUAL(dd->nb_stop, 2u, "close did not stop");
	TEST_ASSERT_EQUAL(dd->nb_close, 2u, "close op count");
	TEST_ASSERT_EQUAL(state_of(id), RTE_EMUDEV_ALLOCATED, "state");
	TEST_ASSERT_EQUAL(rte_emudev_start(id), -EINVAL, "start after close");

	/* close from CONFIGURED does not stop. */
	TEST_ASSERT_SUCCESS(configure_u32(id, 1), "configure");
	TEST_ASSERT_SUCCESS(rte_emudev_close(id), "close in CONFIGURED");
	TEST_ASSERT_EQUAL(dd->nb_stop, 2u, "close stopped a stopped device");
	TEST_ASSERT_EQUAL(state_of(id), RTE_EMUDEV_ALLOCATED, "state");

	/* Unused ids. */
	TEST_ASSERT_SUCCESS(rte_emudev_release(dev), "release");
	TEST_ASSERT_EQUAL(configure_u32(id, 1), -ENODEV, "configure unused");
	TEST_ASSERT_EQUAL(rte_emudev_start(id), -ENODEV, "start unused");
	TEST_ASSERT_EQUAL(rte_emudev_stop(id), -ENODEV, "stop unused");
	TEST_ASSERT_EQUAL(rte_emudev_close(id), -ENODEV, "close unused");
	TEST_ASSERT_EQUAL(rte_emudev_start(RTE_MAX_EMUDEV), -ENODEV,
		"start RTE_MAX_EMUDEV");
	TEST_ASSERT_EQUAL(rte_emudev_close(RTE_EMUDEV_ID_ANY), -ENODEV,
		"close ID_ANY");
	return TEST_SUCCESS;
}

/* A failing provider operation leaves the state unchanged. */
static int
test_emudev_provider_failures(void)
{
	struct rte_emudev *dev;
	struct dummy_dev *dd;
	uint16_t id;

	dev = dummy_create("emu_test_fail", RTE_EMUDEV_ID_ANY, &dummy_ops);
	TEST_ASSERT_NOT_NULL(dev, "allocation failed");
	id = dev->dev_id;
	dd = dummy_of(dev);

	dd->fail_configure = -EIO;
	TEST_ASSERT_EQUAL(configure_u32(id, 1), -EIO, "configure error");
	TEST_ASSERT_EQUAL(state_of(id), RTE_EMUDEV_ALLOCATED, "state");
	/* The provider validates the type-specific configuration. */
	TEST_ASSERT_EQUAL(rte_emudev_configure(id, &(struct rte_emudev_conf){
		.dev_conf = "ab", .conf_size = 2 }), -EINVAL,
		"provider accepted a wrong configuration size");
	TEST_ASSERT_EQUAL(state_of(id), RTE_EMUDEV_ALLOCATED, "state");

	TEST_ASSERT_SUCCESS(configure_u32(id, 1), "configure");
	dd->fail_configure = -EIO;
	TEST_ASSERT_EQUAL(configure_u32(id, 2), -EIO, "reconfigure error");
	TEST_ASSERT_EQUAL(state_of(id), RTE_EMUDEV_CONFIGURED, "state");
	TEST_ASSERT_EQUAL(dd->conf_value, 1u, "failed configuration applied");

	dd->fail_start = -ENOMEM;
	TEST_ASSERT_EQUAL(rte_emudev_start(id), -ENOMEM, "start error");
	TEST_ASSERT_EQUAL(state_of(id), RTE_EMUDEV_CONFIGURED, "state");

	TEST_ASSERT_SUCCESS(rte_emudev_start(id), "start");
	dd->fail_stop = -EIO;
	TEST_ASSERT_EQUAL(rte_emudev_stop(id), -EIO, "stop error");
	TEST_ASSERT_EQUAL(state_of(id), RTE_EMUDEV_STARTED, "state");

	/* close of a started device whose stop fails: nothing closed. */
	dd->fail_stop = -EIO;
	TEST_ASSERT_EQUAL(rte_emudev_close(id), -EIO, "close/stop error");
	TEST_ASSERT_EQUAL(state_of(id), RTE_EMUDEV_STARTED, "state");
	TEST_ASSERT_EQUAL(dd->nb_close, 0u, "closed although stop failed");

	/* close whose close operation fails: stopped, not closed. */
	dd->fail_close = -EPERM;
	TEST_ASSERT_EQUAL(rte_emudev_close(id), -EPERM, "close error");
	TEST_ASSERT_EQUAL(dd->nb_close, 1u, "close op count");
	TEST_ASSERT_EQUAL(state_of(id), RTE_EMUDEV_CONFIGURED, "state");

	/* close failing on an ALLOCATED device keeps it ALLOCATED. */
	TEST_ASSERT_SUCCESS(rte_emudev_close(id), "close");
	TEST_ASSERT_EQUAL(state_of(id), RTE_EMUDEV_ALLOCATED, "state");
	dd->fail_close = -EPERM;
	TEST_ASSERT_EQUAL(rte_emudev_close(id), -EPERM, "close error");
	TEST_ASSERT_EQUAL(state_of(id), RTE_EMUDEV_ALLOCATED, "state");
	return TEST_SUCCESS;
}

/* A provider may release the device from its close operation. */
static int
test_emudev_close_releases(void)
{
	struct rte_emudev *dev;
	uint16_t base = rte_emudev_count();
	uint16_t id;

	dev = dummy_create("emu_test_close", RTE_EMUDEV_ID_ANY, &dummy_ops);
	TEST_ASSERT_NOT_NULL(dev, "allocation failed");
	id = dev->dev_id;
	dummy_of(dev)->release_on_close = true;
	TEST_ASSERT_SUCCESS(configure_u32(id, 1), "configure");
	TEST_ASSERT_SUCCESS(rte_emudev_start(id), "start");
	TEST_ASSERT_SUCCESS(rte_emudev_close(id), "close");
	TEST_ASSERT_EQUAL(dummies[id].nb_stop, 1u, "not stopped");
	TEST_ASSERT(!rte_emudev_is_valid_id(id), "not released");
	TEST_ASSERT_EQUAL(rte_emudev_count(), base, "count");
	TEST_ASSERT_EQUAL(rte_emudev_get_dev_id("emu_test_close"), -ENODEV,
		"name still found");
	return TEST_SUCCESS;
}

/* Operations the provider does not implement fail with -ENOTSUP. */
static int
test_emudev_missing_ops(void)
{
	const struct rte_emudev_ops *variants[] = { &empty_ops, NULL };
	struct rte_emudev_mem_region region;
	struct rte_emudev_irq_info irq;
	struct rte_emudev_q_info q;
	struct rte_emudev_info info;
	struct rte_emudev *dev;
	uint32_t val = 1500;
	unsigned int i;
	uint16_t id;

	for (i = 0; i < RTE_DIM(variants); i++) {
		dev = dummy_create("emu_test_noops", RTE_EMUDEV_ID_ANY,
			variants[i]);
		TEST_ASSERT_NOT_NULL(dev, "allocation failed");
		id = dev->dev_id;

		TEST_ASSERT_EQUAL(configure_u32(id, 1), -ENOTSUP, "configure");
		TEST_ASSERT_EQUAL(rte_emudev_start(id), -ENOTSUP, "start");
		TEST_ASSERT_EQUAL(rte_emudev_stop(id), -ENOTSUP, "stop");
		TEST_ASSERT_EQUAL(rte_emudev_close(id), -ENOTSUP, "close");
		TEST_ASSERT_EQUAL(rte_emudev_get_mem_table(id, &region, 1),
			-ENOTSUP, "get_mem_table");
		TEST_ASSERT_EQUAL(rte_emudev_get_queue_info(id, 0, &q),
			-ENOTSUP, "get_queue_info");
		TEST_ASSERT_EQUAL(rte_emudev_get_irq_info(id, 0, &irq),
			-ENOTSUP, "get_irq_info");
		TEST_ASSERT_EQUAL(rte_emudev_get_attr(id, DUMMY_ATTR_MTU, &val,
			sizeof(val)), -ENOTSUP, "get_attr");
		TEST_ASSERT_EQUAL(rte_emudev_set_attr(id, DUMMY_ATTR_MTU, &val,
			sizeof(val)), -ENOTSUP, "set_attr");
		TEST_ASSERT_EQUAL(state_of(id), RTE_EMUDEV_ALLOCATED, "state");

		/* info works without dev_info_get: class fields only. */
		TEST_ASSERT_SUCCESS(rte_emudev_info_get(id, &info), "info_get");
		TEST_ASSERT_EQUAL(strcmp(info.name, "emu_test_noops"), 0,
			"info name");
		TEST_ASSERT_EQUAL(info.max_qp_num, 0, "max_qp_num");
		TEST_ASSERT_EQUAL(info.max_irq_num, 0, "max_irq_num");
		TEST_ASSERT_NULL(info.driver_name, "driver_name");
		TEST_ASSERT_EQUAL(strcmp(info.type, DUMMY_TYPE), 0, "type");
		TEST_ASSERT_SUCCESS(rte_emudev_release(dev), "release");
	}
	return TEST_SUCCESS;
}

/* Argument validation of the backend API. */
static int
test_emudev_invalid_args(void)
{
	struct rte_emudev_mem_region region;
	struct rte_emudev_irq_info irq;
	struct rte_emudev_q_info q;
	struct rte_emudev_info info;
	struct rte_emudev *dev;
	uint32_t val = 1500;
	uint16_t id;

	dev = dummy_create("emu_test_args", RTE_EMUDEV_ID_ANY, &dummy_ops);
	TEST_ASSERT_NOT_NULL(dev, "allocation failed");
	id = dev->dev_id;

	TEST_ASSERT_EQUAL(rte_emudev_info_get(id, NULL), -EINVAL, "info NULL");
	TEST_ASSERT_EQUAL(rte_emudev_configure(id, NULL), -EINVAL,
		"configure NULL");
	TEST_ASSERT_EQUAL(rte_emudev_configure(id, &(struct rte_emudev_conf){
		.dev_conf = NULL, .conf_size = 4 }), -EINVAL,
		"configure NULL conf with a size");
	TEST_ASSERT_EQUAL(rte_emudev_configure(id, &(struct rte_emudev_conf){
		.dev_conf = &val, .conf_size = 0 }), -EINVAL,
		"configure conf with size 0");
	TEST_ASSERT_EQUAL(dummies[id].nb_configure, 0u,
		"provider called with invalid arguments");
	TEST_ASSERT_EQUAL(rte_emudev_get_mem_table(id, NULL, 1), -EINVAL,
		"mem table NULL with max 1");
	TEST_ASSERT_EQUAL(rte_emudev_get_queue_info(id, 0, NULL), -EINVAL,
		"queue info NULL");
	TEST_ASSERT_EQUAL(rte_emudev_get_irq_info(id, 0, NULL), -EINVAL,
		"irq info NULL");
	TEST_ASSERT_EQUAL(rte_emudev_get_attr(id, NULL, &val, sizeof(val)),
		-EINVAL, "get_attr NULL name");
	TEST_ASSERT_EQUAL(rte_emudev_get_attr(id, "", &val, sizeof(val)),
		-EINVAL, "get_attr empty name");
	TEST_ASSERT_EQUAL(rte_emudev_get_attr(id, DUMMY_ATTR_MTU, NULL,
		sizeof(val)), -EINVAL, "get_attr NULL buffer");
	TEST_ASSERT_EQUAL(rte_emudev_get_attr(id, DUMMY_ATTR_MTU, &val, 0),
		-EINVAL, "get_attr size 0");
	TEST_ASSERT_EQUAL(rte_emudev_set_attr(id, NULL, &val, sizeof(val)),
		-EINVAL, "set_attr NULL name");
	TEST_ASSERT_EQUAL(rte_emudev_set_attr(id, "", &val, sizeof(val)),
		-EINVAL, "set_attr empty name");
	TEST_ASSERT_EQUAL(rte_emudev_set_attr(id, DUMMY_ATTR_MTU, NULL,
		sizeof(val)), -EINVAL, "set_attr NULL buffer");
	TEST_ASSERT_EQUAL(rte_emudev_set_attr(id, DUMMY_ATTR_MTU, &val, 0),
		-EINVAL, "set_attr size 0");
	TEST_ASSERT_EQUAL(rte_emudev_subscribe_event(id, NULL, NULL), -EINVAL,
		"subscribe NULL callback");
	TEST_ASSERT_EQUAL(rte_emudev_unsubscribe_event(id, NULL, NULL),
		-EINVAL, "unsubscribe NULL callback");

	/* Every function on an unused id. */
	TEST_ASSERT_SUCCESS(rte_emudev_release(dev), "release");
	TEST_ASSERT_EQUAL(rte_emudev_info_get(id, &info), -ENODEV, "info");
	TEST_ASSERT_EQUAL(rte_emudev_get_mem_table(id, &region, 1), -ENODEV,
		"mem table");
	TEST_ASSERT_EQUAL(rte_emudev_get_queue_info(id, 0, &q), -ENODEV,
		"queue info");
	TEST_ASSERT_EQUAL(rte_emudev_get_irq_info(id, 0, &irq), -ENODEV,
		"irq info");
	TEST_ASSERT_EQUAL(rte_emudev_get_attr(id, DUMMY_ATTR_MTU, &val,
		sizeof(val)), -ENODEV, "get_attr");
	TEST_ASSERT_EQUAL(rte_emudev_set_attr(id, DUMMY_ATTR_MTU, &val,
		sizeof(val)), -ENODEV, "set_attr");
	TEST_ASSERT_EQUAL(rte_emudev_info_get(RTE_MAX_EMUDEV, &info), -ENODEV,
		"info RTE_MAX_EMUDEV");
	TEST_ASSERT_EQUAL(rte_emudev_info_get(RTE_EMUDEV_ID_ANY, &info),
		-ENODEV, "info ID_ANY");
	return TEST_SUCCESS;
}

/* Device information: class fields win over the provider's. */
static int
test_emudev_info(void)
{
	struct rte_emudev_info info;
	struct rte_emudev *dev;
	uint16_t id;

	dev = dummy_create("emu_test_info", RTE_EMUDEV_ID_ANY, &dummy_ops);
	TEST_ASSERT_NOT_NULL(dev, "allocation failed");
	id = dev->dev_id;

	memset(&info, 0xa5, sizeof(info));
	TEST_ASSERT_SUCCESS(rte_emudev_info_get(id, &info), "info_get");
	TEST_ASSERT_EQUAL(dummies[id].nb_info, 1u, "provider not asked");
	TEST_ASSERT_EQUAL(strcmp(info.name, "emu_test_info"), 0, "name %s",
		info.name);
	TEST_ASSERT_EQUAL(strcmp(info.driver_name, DUMMY_DRIVER), 0,
		"driver_name");
	TEST_ASSERT_EQUAL(strcmp(info.type, DUMMY_TYPE), 0, "type");
	TEST_ASSERT_EQUAL(info.max_qp_num, DUMMY_NB_QUEUES / 2, "max_qp_num");
	TEST_ASSERT_EQUAL(info.max_irq_num, DUMMY_NB_IRQS, "max_irq_num");
	TEST_ASSERT_EQUAL(info.state, RTE_EMUDEV_ALLOCATED, "state");
	TEST_ASSERT(!info.ready, "ready");

	rte_emudev_set_ready(dev, true);
	TEST_ASSERT_SUCCESS(configure_u32(id, 3), "configure");
	TEST_ASSERT_SUCCESS(rte_emudev_start(id), "start");
	TEST_ASSERT_SUCCESS(rte_emudev_info_get(id, &info), "info_get");
	TEST_ASSERT_EQUAL(info.state, RTE_EMUDEV_STARTED, "state");
	TEST_ASSERT(info.ready, "not ready");
	rte_emudev_set_ready(dev, false);
	TEST_ASSERT_SUCCESS(rte_emudev_info_get(id, &info), "info_get");
	TEST_ASSERT(!info.ready, "still ready");
	return TEST_SUCCESS;
}

/* Memory table: the count is returned even when the array is short. */
static int
test_emudev_mem_table(void)
{
	struct rte_emudev_mem_region r[DUMMY_NB_REGIONS + 2];
	const struct rte_emudev_mem_region *want;
	struct rte_emudev *dev;
	uint32_t i, max;
	uint16_t id;

	dev = dummy_create("emu_test_mem", RTE_EMUDEV_ID_ANY, &dummy_ops);
	TEST_ASSERT_NOT_NULL(dev, "allocation failed");
	id = dev->dev_id;
	want = dummies[id].regions;

	TEST_ASSERT_EQUAL(rte_emudev_get_mem_table(id, NULL, 0),
		DUMMY_NB_REGIONS, "count query");

	for (max = 0; max <= RTE_DIM(r); max++) {
		memset(r, 0xa5, sizeof(r));
		TEST_ASSERT_EQUAL(rte_emudev_get_mem_table(id, r, max),
			DUMMY_NB_REGIONS, "max %u: count", max);
		for (i = 0; i < RTE_DIM(r); i++) {
			if (i < max && i < DUMMY_NB_REGIONS) {
				TEST_ASSERT(r[i].iova == want[i].iova &&
					r[i].size == want[i].size &&
					r[i].host_va == want[i].host_va,
					"max %u: region %u differs", max, i);
			} else {
				TEST_ASSERT(r[i].iova == 0xa5a5a5a5a5a5a5a5ULL &&
					r[i].size == 0xa5a5a5a5a5a5a5a5ULL,
					"max %u: entry %u written", max, i);
			}
		}
	}
	return TEST_SUCCESS;
}

/* Queue and interrupt information. */
static int
test_emudev_queue_irq_info(void)
{
	struct rte_emudev_irq_info irq;
	struct rte_emudev_q_info q;
	struct rte_emudev *dev;
	uint32_t qid, vec;
	uint16_t id;

	dev = dummy_create("emu_test_q", RTE_EMUDEV_ID_ANY, &dummy_ops);
	TEST_ASSERT_NOT_NULL(dev, "allocation failed");
	id = dev->dev_id;

	for (qid = 0; qid < DUMMY_NB_QUEUES; qid++) {
		memset(&q, 0xa5, sizeof(q));
		TEST_ASSERT_SUCCESS(rte_emudev_get_queue_info(id, qid, &q),
			"queue %u", qid);
		TEST_ASSERT_EQUAL(q.base_iova, 0x100000ULL * (qid + 1),
			"queue %u base", qid);
		TEST_ASSERT_EQUAL(q.size, 256u << qid, "queue %u size", qid);
		TEST_ASSERT_EQUAL(q.irq_vector, 1 + qid % (DUMMY_NB_IRQS - 1),
			"queue %u vector", qid);
		TEST_ASSERT(q.enabled == ((qid % 2) == 0),
			"queue %u enabled", qid);
		TEST_ASSERT(q.priv == &dummies[id], "queue %u priv", qid);
	}
	TEST_ASSERT_EQUAL(rte_emudev_get_queue_info(id, DUMMY_NB_QUEUES, &q),
		-EINVAL, "queue out of range");
	TEST_ASSERT_EQUAL(rte_emudev_get_queue_info(id, UINT32_MAX, &q),
		-EINVAL, "queue UINT32_MAX");

	/* Vector 0: the provider set nothing, the class defaults show. */
	memset(&irq, 0xa5, sizeof(irq));
	TEST_ASSERT_SUCCESS(rte_emudev_get_irq_info(id, 0, &irq), "vector 0");
	TEST_ASSERT_EQUAL(irq.vector, 0u, "vector 0 number");
	TEST_ASSERT_EQUAL(irq.fd, -1, "vector 0 fd");
	TEST_ASSERT(!irq.enabled, "vector 0 enabled");
	for (vec = 1; vec < DUMMY_NB_IRQS; vec++) {
		TEST_ASSERT_SUCCESS(rte_emudev_get_irq_info(id, vec, &irq),
			"vector %u", vec);
		TEST_ASSERT_EQUAL(irq.vector, vec, "vector %u number", vec);
		TEST_ASSERT_EQUAL(irq.fd, (int)(100 + vec), "vector %u fd", vec);
		TEST_ASSERT(irq.enabled, "vector %u disabled", vec);
	}
	TEST_ASSERT_EQUAL(rte_emudev_get_irq_info(id, DUMMY_NB_IRQS, &irq),
		-EINVAL, "vector out of range");
	return TEST_SUCCESS;
}

/* Attributes reach the provider and its errors come back. */
static int
test_emudev_attributes(void)
{
	struct rte_emudev *dev;
	uint32_t val;
	uint64_t wide = 1500;
	uint16_t id;

	dev = dummy_create("emu_test_attr", RTE_EMUDEV_ID_ANY, &dummy_ops);
	TEST_ASSERT_NOT_NULL(dev, "allocation failed");
	id = dev->dev_id;

	TEST_ASSERT_SUCCESS(rte_emudev_get_attr(id, DUMMY_ATTR_MTU, &val,
		sizeof(val)), "get mtu");
	TEST_ASSERT_EQUAL(val, 1500u, "initial mtu");
	val = 9000;
	TEST_ASSERT_SUCCESS(rte_emudev_set_attr(id, DUMMY_ATTR_MTU, &val,
		sizeof(val)), "set mtu");
	val = 0;
	TEST_ASSERT_SUCCESS(rte_emudev_get_attr(id, DUMMY_ATTR_MTU, &val,
		sizeof(val)), "get mtu");
	TEST_ASSERT_EQUAL(val, 9000u, "mtu not stored");

	val = DUMMY_MTU_MAX + 1;
	TEST_ASSERT_EQUAL(rte_emudev_set_attr(id, DUMMY_ATTR_MTU, &val,
		sizeof(val)), -EINVAL, "out of range value");
	TEST_ASSERT_EQUAL(rte_emudev_set_attr(id, DUMMY_ATTR_MTU, &wide,
		sizeof(wide)), -EINVAL, "wrong size accepted");
	TEST_ASSERT_EQUAL(rte_emudev_get_attr(id, DUMMY_ATTR_MTU, &wide,
		sizeof(wide)), -EINVAL, "wrong size read");
	TEST_ASSERT_EQUAL(rte_emudev_get_attr(id, "nonexistent", &val,
		sizeof(val)), -ENOENT, "unknown attribute read");
	TEST_ASSERT_EQUAL(rte_emudev_set_attr(id, "nonexistent", &val,
		sizeof(val)), -ENOENT, "unknown attribute written");
	TEST_ASSERT_SUCCESS(rte_emudev_get_attr(id, DUMMY_ATTR_MTU, &val,
		sizeof(val)), "get mtu");
	TEST_ASSERT_EQUAL(val, 9000u, "failed writes changed the mtu");
	return TEST_SUCCESS;
}

/* Event recording. */
struct ev_record {
	RTE_ATOMIC(uint32_t) calls;
	uint16_t dev_id;
	struct rte_emudev_event last;
	uint32_t seq;           /* global order of the last call */
	rte_thread_t thread;    /* thread of the last call */
};

static RTE_ATOMIC(uint32_t) ev_seq;

static void
record_cb(uint16_t dev_id, const struct rte_emudev_event *ev, void *arg)
{
	struct ev_record *rec = arg;

	rec->dev_id = dev_id;
	rec->last = *ev;
	rec->thread = rte_thread_self();
	rec->seq = rte_atomic_fetch_add_explicit(&ev_seq, 1,
		rte_memory_order_relaxed) + 1;
	rte_atomic_fetch_add_explicit(&rec->calls, 1, rte_memory_order_release);
}

static void
notify(struct rte_emudev *dev, enum rte_emudev_event_type type,
		uint32_t queue_id, bool enabled)
{
	struct rte_emudev_event ev = {
		.type = type,
		.queue_id = queue_id,
		.enabled = enabled,
	};

	rte_emudev_notify_event(dev, &ev);
}

/* Subscription, delivery order and contents, unsubscription. */
static int
test_emudev_events(void)
{
	struct ev_record a = {0}, b = {0}, c = {0};
	struct rte_emudev_event bad = { .type = 1000 };
	struct rte_emudev *dev;
	uint16_t id;

	dev = dummy_create("emu_test_ev", RTE_EMUDEV_ID_ANY, &dummy_ops);
	TEST_ASSERT_NOT_NULL(dev, "allocation failed");
	id = dev->dev_id;

	TEST_ASSERT_SUCCESS(rte_emudev_subscribe_event(id, record_cb, &a),
		"subscribe a");
	TEST_ASSERT_SUCCESS(rte_emudev_subscribe_event(id, record_cb, &b),
		"subscribe b (same callback, other argument)");
	TEST_ASSERT_EQUAL(rte_emudev_subscribe_event(id, record_cb, &a),
		-EEXIST, "duplicate subscription");
	TEST_ASSERT_EQUAL(rte_emudev_subscribe_event(RTE_MAX_EMUDEV,
		record_cb, &c), -ENODEV, "subscribe to an unused id");

	notify(dev, RTE_EMUDEV_EVENT_QUEUE_STATE, 5, true);
	TEST_ASSERT_EQUAL(a.calls, 1u, "a calls");
	TEST_ASSERT_EQUAL(b.calls, 1u, "b calls");
	TEST_ASSERT(a.seq < b.seq, "not delivered in subscription order");
	TEST_ASSERT_EQUAL(a.dev_id, id, "dev_id");
	TEST_ASSERT_EQUAL(a.last.type, RTE_EMUDEV_EVENT_QUEUE_STATE, "type");
	TEST_ASSERT_EQUAL(a.last.queue_id, 5u, "queue_id");
	TEST_ASSERT(a.last.enabled, "enabled");
	TEST_ASSERT(rte_thread_equal(a.thread, rte_thread_self()),
		"not delivered in the calling thread");

	notify(dev, RTE_EMUDEV_EVENT_RESET, 0, false);
	TEST_ASSERT_EQUAL(b.last.type, RTE_EMUDEV_EVENT_RESET, "reset type");
	notify(dev, RTE_EMUDEV_EVENT_MEM_CHANGE, 0, false);
	TEST_ASSERT_EQUAL(b.last.type, RTE_EMUDEV_EVENT_MEM_CHANGE,
		"mem change type");
	TEST_ASSERT_EQUAL(a.calls, 3u, "a calls");

	/* Unknown types and NULL events are dropped. */
	rte_emudev_notify_event(dev, &bad);
	rte_emudev_notify_event(dev, NULL);
	rte_emudev_notify_event(NULL, &bad);
	TEST_ASSERT_EQUAL(a.calls, 3u, "bad event delivered");

	TEST_ASSERT_SUCCESS(rte_emudev_unsubscribe_event(id, record_cb, &a),
		"unsubscribe a");
	TEST_ASSERT_EQUAL(rte_emudev_unsubscribe_event(id, record_cb, &a),
		-ENOENT, "double unsubscribe");
	TEST_ASSERT_EQUAL(rte_emudev_unsubscribe_event(id, record_cb, &c),
		-ENOENT, "unsubscribe of an unknown subscription");
	notify(dev, RTE_EMUDEV_EVENT_QUEUE_STATE, 1, false);
	TEST_ASSERT_EQUAL(a.calls, 3u, "called after unsubscribe");
	TEST_ASSERT_EQUAL(b.calls, 4u, "b calls");
	TEST_ASSERT(!b.last.enabled && b.last.queue_id == 1, "b contents");

	/* Resubscribing works and goes to the end of the list. */
	TEST_ASSERT_SUCCESS(rte_emudev_subscribe_event(id, record_cb, &a),
		"resubscribe a");
	notify(dev, RTE_EMUDEV_EVENT_RESET, 0, false);
	TEST_ASSERT(b.seq < a.seq, "resubscription not appended");
	TEST_ASSERT_EQUAL(a.calls, 4u, "a calls");
	return TEST_SUCCESS;
}

/* Readiness: events on changes only, the flag follows. */
static int
test_emudev_ready_events(void)
{
	struct ev_record a = {0};
	struct rte_emudev_info info;
	struct rte_emudev *dev;
	uint16_t id;

	dev = dummy_create("emu_test_ready", RTE_EMUDEV_ID_ANY, &dummy_ops);
	TEST_ASSERT_NOT_NULL(dev, "allocation failed");
	id = dev->dev_id;
	TEST_ASSERT_SUCCESS(rte_emudev_subscribe_event(id, record_cb, &a),
		"subscribe");

	rte_emudev_set_ready(dev, false);
	TEST_ASSERT_EQUAL(a.calls, 0u, "event without a change");
	rte_emudev_set_ready(dev, true);
	TEST_ASSERT_EQUAL(a.calls, 1u, "no READY event");
	TEST_ASSERT_EQUAL(a.last.type, RTE_EMUDEV_EVENT_READY, "type");
	TEST_ASSERT(dev->ready, "flag not set");
	rte_emudev_set_ready(dev, true);
	TEST_ASSERT_EQUAL(a.calls, 1u, "READY repeated");
	rte_emudev_set_ready(dev, false);
	TEST_ASSERT_EQUAL(a.calls, 2u, "no NOT_READY event");
	TEST_ASSERT_EQUAL(a.last.type, RTE_EMUDEV_EVENT_NOT_READY, "type");

	/* READY/NOT_READY through notify_event behave as set_ready. */
	notify(dev, RTE_EMUDEV_EVENT_READY, 0, false);
	TEST_ASSERT_EQUAL(a.calls, 3u, "notify READY");
	TEST_ASSERT_SUCCESS(rte_emudev_info_get(id, &info), "info");
	TEST_ASSERT(info.ready, "notify READY did not set the flag");
	notify(dev, RTE_EMUDEV_EVENT_READY, 0, false);
	TEST_ASSERT_EQUAL(a.calls, 3u, "notify READY repeated");
	notify(dev, RTE_EMUDEV_EVENT_NOT_READY, 0, false);
	TEST_ASSERT_EQUAL(a.calls, 4u, "notify NOT_READY");
	TEST_ASSERT(!dev->ready, "notify NOT_READY did not clear the flag");
	rte_emudev_set_ready(NULL, true);
	return TEST_SUCCESS;
}

/* Callbacks that change subscriptions while an event is delivered. */
struct unsub_ctx {
	struct rte_emudev *dev;
	uint32_t calls;
	int ret;                        /* result of the call in the callback */
	rte_emudev_event_cb target_cb;  /* subscription to cancel, if any */
	void *target_arg;
};

static void
unsub_cb(uint16_t dev_id, const struct rte_emudev_event *ev __rte_unused,
		void *arg)
{
	struct unsub_ctx *ctx = arg;

	ctx->calls++;
	if (ctx->target_cb != NULL)
		ctx->ret = rte_emudev_unsubscribe_event(dev_id, ctx->target_cb,
			ctx->target_arg);
	else
		ctx->ret = rte_emudev_unsubscribe_event(dev_id, unsub_cb, ctx);
}

static void
release_cb(uint16_t dev_id __rte_unused,
		const struct rte_emudev_event *ev __rte_unused, void *arg)
{
	struct unsub_ctx *ctx = arg;

	ctx->calls++;
	ctx->ret = rte_emudev_release(ctx->dev);
}

static int
test_emudev_unsubscribe_in_callback(void)
{
	struct unsub_ctx self = {0}, killer = {0}, relctx = {0};
	struct ev_record victim = {0}, after = {0};
	struct rte_emudev *dev;
	uint16_t id;

	dev = dummy_create("emu_test_unsub", RTE_EMUDEV_ID_ANY, &dummy_ops);
	TEST_ASSERT_NOT_NULL(dev, "allocation failed");
	id = dev->dev_id;

	/* self unsubscribes itself; killer cancels victim, which follows. */
	killer.target_cb = record_cb;
	killer.target_arg = &victim;
	TEST_ASSERT_SUCCESS(rte_emudev_subscribe_event(id, unsub_cb, &self),
		"subscribe self");
	TEST_ASSERT_SUCCESS(rte_emudev_subscribe_event(id, unsub_cb, &killer),
		"subscribe killer");
	TEST_ASSERT_SUCCESS(rte_emudev_subscribe_event(id, record_cb, &victim),
		"subscribe victim");
	TEST_ASSERT_SUCCESS(rte_emudev_subscribe_event(id, record_cb, &after),
		"subscribe after");

	notify(dev, RTE_EMUDEV_EVENT_RESET, 0, false);
	TEST_ASSERT_EQUAL(self.calls, 1u, "self calls");
	TEST_ASSERT_EQUAL(self.ret, 0, "self unsubscribe: %d", self.ret);
	TEST_ASSERT_EQUAL(killer.ret, 0, "killer unsubscribe: %d", killer.ret);
	TEST_ASSERT_EQUAL(victim.calls, 0u,
		"cancelled subscriber called for the current event");
	TEST_ASSERT_EQUAL(after.calls, 1u, "later subscriber skipped");

	notify(dev, RTE_EMUDEV_EVENT_RESET, 0, false);
	TEST_ASSERT_EQUAL(self.calls, 1u, "self called after unsubscribing");
	TEST_ASSERT_EQUAL(killer.calls, 2u, "killer calls");
	TEST_ASSERT_EQUAL(killer.ret, -ENOENT, "victim cancelled twice");
	TEST_ASSERT_EQUAL(victim.calls, 0u, "victim called");
	TEST_ASSERT_EQUAL(after.calls, 2u, "after calls");
	TEST_ASSERT_EQUAL(rte_emudev_unsubscribe_event(id, unsub_cb, &self),
		-ENOENT, "self still subscribed");

	/* Releasing the device from one of its callbacks is refused. */
	relctx.dev = dev;
	TEST_ASSERT_SUCCESS(rte_emudev_subscribe_event(id, release_cb, &relctx),
		"subscribe release_cb");
	notify(dev, RTE_EMUDEV_EVENT_RESET, 0, false);
	TEST_ASSERT_EQUAL(relctx.calls, 1u, "release_cb calls");
	TEST_ASSERT_EQUAL(relctx.ret, -EBUSY, "release in callback: %d",
		relctx.ret);
	TEST_ASSERT(rte_emudev_is_valid_id(id), "released from a callback");
	return TEST_SUCCESS;
}

/* Wait until *counter reaches at least want; false on timeout. */
static bool
wait_counter(uint32_t __rte_atomic *counter, uint32_t want)
{
	uint64_t waited = 0;

	while (rte_atomic_load_explicit(counter, rte_memory_order_acquire) < want) {
		if (waited >= WAIT_TIMEOUT_US)
			return false;
		rte_delay_us_sleep(100);
		waited += 100;
	}
	return true;
}

/* A provider control thread raising events. */
struct notifier {
	struct rte_emudev *dev;
	uint32_t count;         /* events to raise; 0: until stop is set */
	RTE_ATOMIC(uint32_t) stop;
	RTE_ATOMIC(uint32_t) sent;
};

static uint32_t
notifier_main(void *arg)
{
	struct notifier *n = arg;

	while (n->count == 0 ? !rte_atomic_load_explicit(&n->stop, rte_memory_order_acquire) :
			n->sent < n->count) {
		notify(n->dev, RTE_EMUDEV_EVENT_QUEUE_STATE, n->sent, true);
		rte_atomic_fetch_add_explicit(&n->sent, 1, rte_memory_order_release);
		if (n->count == 0)
			rte_delay_us_sleep(5);
	}
	return 0;
}

/* A callback that takes a while, to catch it running. */
struct slow_ctx {
	RTE_ATOMIC(uint32_t) entered;
	RTE_ATOMIC(uint32_t) exited;
	rte_thread_t thread;
};

static void
slow_cb(uint16_t dev_id __rte_unused,
		const struct rte_emudev_event *ev __rte_unused, void *arg)
{
	struct slow_ctx *ctx = arg;

	ctx->thread = rte_thread_self();
	rte_atomic_fetch_add_explicit(&ctx->entered, 1, rte_memory_order_release);
	rte_delay_us_sleep(200 * 1000);
	rte_atomic_fetch_add_explicit(&ctx->exited, 1, rte_memory_order_release);
}

/*
 * Delivery from another thread; unsubscribe waits for a callback running
 * there to return.
 */
static int
test_emudev_events_other_thread(void)
{
	struct notifier n = {0};
	struct slow_ctx slow = {0};
	struct ev_record rec = {0};
	struct rte_emudev *dev;
	rte_thread_t thread;
	uint16_t id;

	dev = dummy_create("emu_test_thr", RTE_EMUDEV_ID_ANY, &dummy_ops);
	TEST_ASSERT_NOT_NULL(dev, "allocation failed");
	id = dev->dev_id;
	TEST_ASSERT_SUCCESS(rte_emudev_subscribe_event(id, slow_cb, &slow),
		"subscribe slow");
	TEST_ASSERT_SUCCESS(rte_emudev_subscribe_event(id, record_cb, &rec),
		"subscribe record");

	n.dev = dev;
	n.count = 1;
	TEST_ASSERT_SUCCESS(rte_thread_create(&thread, NULL, notifier_main, &n),
		"rte_thread_create");
	if (!wait_counter(&slow.entered, 1)) {
		rte_thread_join(thread, NULL);
		TEST_ASSERT(false, "event not delivered from the other thread");
	}
	TEST_ASSERT_SUCCESS(rte_emudev_unsubscribe_event(id, slow_cb, &slow),
		"unsubscribe slow");
	TEST_ASSERT_EQUAL(rte_atomic_load_explicit(&slow.exited, rte_memory_order_acquire), 1u,
		"unsubscribe returned while the callback was running");
	rte_thread_join(thread, NULL);
	TEST_ASSERT(rte_thread_equal(slow.thread, thread),
		"callback not run in the notifying thread");
	TEST_ASSERT_EQUAL(rec.calls, 1u, "record calls");
	TEST_ASSERT(rte_thread_equal(rec.thread, thread), "record thread");
	TEST_ASSERT_EQUAL(rec.last.type, RTE_EMUDEV_EVENT_QUEUE_STATE, "type");

	/* Once unsubscribed, the slow callback is not called again. */
	n.sent = 0;
	TEST_ASSERT_SUCCESS(rte_thread_create(&thread, NULL, notifier_main, &n),
		"rte_thread_create");
	rte_thread_join(thread, NULL);
	TEST_ASSERT_EQUAL(slow.entered, 1u, "called after unsubscribe");
	TEST_ASSERT_EQUAL(rec.calls, 2u, "record calls");
	return TEST_SUCCESS;
}

/* Subscriptions cancelled while another thread delivers continuously. */
#define STRESS_ROUNDS 200

struct stress_sub {
	RTE_ATOMIC(uint32_t) calls;
	RTE_ATOMIC(uint32_t) running;
	RTE_ATOMIC(uint32_t) dead;       /* set once unsubscribe returned */
	RTE_ATOMIC(uint32_t) violations; /* calls that started after that */
};

static struct stress_sub stress_subs[STRESS_ROUNDS];

static void
stress_cb(uint16_t dev_id __rte_unused,
		const struct rte_emudev_event *ev __rte_unused, void *arg)
{
	struct stress_sub *s = arg;

	rte_atomic_fetch_add_explicit(&s->running, 1, rte_memory_order_acq_rel);
	if (rte_atomic_load_explicit(&s->dead, rte_memory_order_acquire))
		rte_atomic_fetch_add_explicit(&s->violations, 1, rte_memory_order_relaxed);
	rte_atomic_fetch_add_explicit(&s->calls, 1, rte_memory_order_release);
	rte_atomic_fetch_sub_explicit(&s->running, 1, rte_memory_order_acq_rel);
}

static int
test_emudev_events_stress(void)
{
	struct notifier n = {0};
	struct rte_emudev *dev;
	struct stress_sub *s;
	rte_thread_t thread;
	uint32_t violations = 0, running = 0, unseen = 0;
	unsigned int i;
	uint16_t id;

	memset(stress_subs, 0, sizeof(stress_subs));
	dev = dummy_create("emu_test_stress", RTE_EMUDEV_ID_ANY, &dummy_ops);
	TEST_ASSERT_NOT_NULL(dev, "allocation failed");
	id = dev->dev_id;

	n.dev = dev;
	n.count = 0;
	TEST_ASSERT_SUCCESS(rte_thread_create(&thread, NULL, notifier_main, &n),
		"rte_thread_create");
	for (i = 0; i < STRESS_ROUNDS; i++) {
		s = &stress_subs[i];
		if (rte_emudev_subscribe_event(id, stress_cb, s) != 0)
			break;
		/* Let the notifier deliver at least once to this one. */
		if (!wait_counter(&s->calls, 1))
			unseen++;
		if (rte_emudev_unsubscribe_event(id, stress_cb, s) != 0)
			break;
		running += rte_atomic_load_explicit(&s->running, rte_memory_order_acquire);
		rte_atomic_store_explicit(&s->dead, 1, rte_memory_order_release);
	}
	rte_atomic_store_explicit(&n.stop, 1, rte_memory_order_release);
	rte_thread_join(thread, NULL);

	TEST_ASSERT_EQUAL(i, STRESS_ROUNDS, "subscription %u failed", i);
	TEST_ASSERT_EQUAL(unseen, 0u, "%u subscriptions never called", unseen);
	for (i = 0; i < STRESS_ROUNDS; i++)
		violations += stress_subs[i].violations;
	TEST_ASSERT_EQUAL(running, 0u,
		"%u callbacks running after unsubscribe returned", running);
	TEST_ASSERT_EQUAL(violations, 0u,
		"%u callbacks started after unsubscribe returned", violations);
	return TEST_SUCCESS;
}

/* Release drops subscriptions and stops delivery. */
static int
test_emudev_release_with_subscribers(void)
{
	struct ev_record a = {0}, b = {0};
	struct rte_emudev *dev;
	uint16_t id;

	dev = dummy_create("emu_test_relsub", RTE_EMUDEV_ID_ANY, &dummy_ops);
	TEST_ASSERT_NOT_NULL(dev, "allocation failed");
	id = dev->dev_id;
	TEST_ASSERT_SUCCESS(rte_emudev_subscribe_event(id, record_cb, &a),
		"subscribe a");
	TEST_ASSERT_SUCCESS(rte_emudev_subscribe_event(id, record_cb, &b),
		"subscribe b");
	rte_emudev_set_ready(dev, true);
	TEST_ASSERT_EQUAL(a.calls + b.calls, 2u, "READY not delivered");

	TEST_ASSERT_SUCCESS(rte_emudev_release(dev), "release");
	TEST_ASSERT_EQUAL(a.calls + b.calls, 2u, "release raised events");
	/* A provider raising events on a released device is ignored. */
	notify(dev, RTE_EMUDEV_EVENT_RESET, 0, false);
	rte_emudev_set_ready(dev, false);
	TEST_ASSERT_EQUAL(a.calls + b.calls, 2u, "event after release");
	TEST_ASSERT_EQUAL(rte_emudev_unsubscribe_event(id, record_cb, &a),
		-ENODEV, "unsubscribe from a released device");

	/* The slot's next user starts without subscriptions. */
	dev = dummy_create("emu_test_relsub", id, &dummy_ops);
	TEST_ASSERT_NOT_NULL(dev, "reallocation failed");
	TEST_ASSERT(!dev->ready, "readiness inherited");
	notify(dev, RTE_EMUDEV_EVENT_RESET, 0, false);
	TEST_ASSERT_EQUAL(a.calls + b.calls, 2u,
		"subscription survived the release");
	TEST_ASSERT_EQUAL(rte_emudev_unsubscribe_event(id, record_cb, &a),
		-ENOENT, "subscription survived the release");
	return TEST_SUCCESS;
}

/* Telemetry, through the telemetry socket as a client would use it. */
static int
tel_connect(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char buf[1024], want[64];
	ssize_t len;
	int fd;

	if (snprintf(addr.sun_path, sizeof(addr.sun_path),
			"%s/dpdk_telemetry.v2", rte_eal_get_runtime_dir()) >=
			(int)sizeof(addr.sun_path))
		return -1;
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		close(fd);
		return -1;
	}
	/* The greeting names the serving process: make sure it is us. */
	len = recv(fd, buf, sizeof(buf) - 1, 0);
	snprintf(want, sizeof(want), "\"pid\":%d,", (int)getpid());
	if (len > 0)
		buf[len] = '\0';
	if (len <= 0 || strstr(buf, want) == NULL) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
tel_query(int fd, const char *cmd, char *buf, size_t size)
{
	ssize_t len;

	if (send(fd, cmd, strlen(cmd), 0) < 0)
		return -1;
	len = recv(fd, buf, size - 1, 0);
	if (len <= 0)
		return -1;
	buf[len] = '\0';
	return 0;
}

static int
test_emudev_telemetry(void)
{
	char buf[4096], want[512], cmd[64];
	struct rte_emudev *a, *b;
	size_t used;
	uint16_t id;
	int fd, ret;

	a = dummy_create("emu_test_tel_a", RTE_EMUDEV_ID_ANY, &dummy_ops);
	TEST_ASSERT_NOT_NULL(a, "allocation failed");
	b = dummy_create("emu_test_tel_b", RTE_EMUDEV_ID_ANY, &empty_ops);
	TEST_ASSERT_NOT_NULL(b, "allocation failed");
	TEST_ASSERT_SUCCESS(configure_u32(a->dev_id, 1), "configure");
	rte_emudev_set_ready(a, true);

	fd = tel_connect();
	if (fd < 0) {
		printf("telemetry socket not available, telemetry not tested\n");
		return TEST_SKIPPED;
	}

	/* The list: every device in use, ascending. */
	used = snprintf(want, sizeof(want), "{\"/emudev/list\":[");
	RTE_EMUDEV_FOREACH(id)
		used += snprintf(want + used, sizeof(want) - used, "%s%u",
			id == rte_emudev_find_next(0) ? "" : ",", id);
	snprintf(want + used, sizeof(want) - used, "]}");
	ret = tel_query(fd, "/emudev/list", buf, sizeof(buf));
	if (ret == 0)
		ret = strcmp(buf, want);
	if (ret != 0)
		goto fail;

	snprintf(cmd, sizeof(cmd), "/emudev/info,%u", a->dev_id);
	snprintf(want, sizeof(want), "{\"/emudev/info\":{\"id\":%u,"
		"\"name\":\"emu_test_tel_a\",\"driver\":\"%s\",\"type\":\"%s\","
		"\"state\":\"configured\",\"ready\":1,\"max_qp_num\":%u,"
		"\"max_irq_num\":%u}}", a->dev_id, DUMMY_DRIVER, DUMMY_TYPE,
		DUMMY_NB_QUEUES / 2, DUMMY_NB_IRQS);
	ret = tel_query(fd, cmd, buf, sizeof(buf));
	if (ret == 0)
		ret = strcmp(buf, want);
	if (ret != 0)
		goto fail;

	snprintf(cmd, sizeof(cmd), "/emudev/info,%u", b->dev_id);
	snprintf(want, sizeof(want), "{\"/emudev/info\":{\"id\":%u,"
		"\"name\":\"emu_test_tel_b\",\"driver\":\"\",\"type\":\"%s\","
		"\"state\":\"allocated\",\"ready\":0,\"max_qp_num\":0,"
		"\"max_irq_num\":0}}", b->dev_id, DUMMY_TYPE);
	ret = tel_query(fd, cmd, buf, sizeof(buf));
	if (ret == 0)
		ret = strcmp(buf, want);
	if (ret != 0)
		goto fail;

	/* Bad parameters: a null reply. */
	{
		static const char * const bad[] = {
			"/emudev/info", "/emudev/info,abc", "/emudev/info,-1",
			"/emudev/info,1x", "/emudev/info,99999999999999999999",
			"/emudev/info, 1",
		};
		unsigned int i;

		for (i = 0; i < RTE_DIM(bad); i++) {
			ret = tel_query(fd, bad[i], buf, sizeof(buf));
			if (ret == 0)
				ret = strcmp(buf, "{\"/emudev/info\":null}");
			if (ret != 0) {
				snprintf(want, sizeof(want), "null for %s",
					bad[i]);
				goto fail;
			}
		}
	}
	id = RTE_MAX_EMUDEV - 1;
	while (rte_emudev_is_valid_id(id))
		id--;
	snprintf(cmd, sizeof(cmd), "/emudev/info,%u", id);
	ret = tel_query(fd, cmd, buf, sizeof(buf));
	if (ret == 0)
		ret = strcmp(buf, "{\"/emudev/info\":null}");
	if (ret != 0) {
		snprintf(want, sizeof(want), "null for an unused id");
		goto fail;
	}

	close(fd);
	return TEST_SUCCESS;
fail:
	close(fd);
	printf("telemetry: got %s\n  expected %s\n", buf, want);
	return TEST_FAILED;
}

static struct unit_test_suite emudev_testsuite = {
	.suite_name = "emudev autotest",
	.setup = NULL,
	.teardown = NULL,
	.unit_test_cases = {
		TEST_CASE_ST(test_setup, test_teardown,
			test_emudev_allocate_lookup),
		TEST_CASE_ST(test_setup, test_teardown,
			test_emudev_allocate_limits),
		TEST_CASE_ST(test_setup, test_teardown,
			test_emudev_state_machine),
		TEST_CASE_ST(test_setup, test_teardown,
			test_emudev_provider_failures),
		TEST_CASE_ST(test_setup, test_teardown,
			test_emudev_close_releases),
		TEST_CASE_ST(test_setup, test_teardown,
			test_emudev_missing_ops),
		TEST_CASE_ST(test_setup, test_teardown,
			test_emudev_invalid_args),
		TEST_CASE_ST(test_setup, test_teardown, test_emudev_info),
		TEST_CASE_ST(test_setup, test_teardown, test_emudev_mem_table),
		TEST_CASE_ST(test_setup, test_teardown,
			test_emudev_queue_irq_info),
		TEST_CASE_ST(test_setup, test_teardown, test_emudev_attributes),
		TEST_CASE_ST(test_setup, test_teardown, test_emudev_events),
		TEST_CASE_ST(test_setup, test_teardown,
			test_emudev_ready_events),
		TEST_CASE_ST(test_setup, test_teardown,
			test_emudev_unsubscribe_in_callback),
		TEST_CASE_ST(test_setup, test_teardown,
			test_emudev_events_other_thread),
		TEST_CASE_ST(test_setup, test_teardown,
			test_emudev_events_stress),
		TEST_CASE_ST(test_setup, test_teardown,
			test_emudev_release_with_subscribers),
		TEST_CASE_ST(test_setup, test_teardown, test_emudev_telemetry),
		TEST_CASES_END()
	}
};

static int
test_emudev(void)
{
	return unit_test_suite_runner(&emudev_testsuite);
}

REGISTER_FAST_TEST(emudev_autotest, true, true, test_emudev);
