// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Sealing and opening records is what the data path spends its time on,
 * so it runs on every CPU, as WireGuard does it, while a peer's packets
 * still leave and arrive in the order they came:
 *
 *   tx: ndo_start_xmit --> peer's tx queue (in order) + a crypt worker
 *       crypt worker: seal, mark READY --> peer's tx work
 *       tx work (one CPU per peer): send the READY head of the queue
 *   rx: encap_rcv --> peer's rx queue (in order) + a crypt worker
 *       crypt worker: open, check, mark READY --> peer's NAPI
 *       NAPI poll: the READY head of the queue into GRO
 *
 * A packet sits in its peer's ordered queue (an sk_buff_head, linked
 * through skb->next/prev) and, by pointer, in the crypt ring at the
 * same time: one ring that every CPU's worker takes from, as
 * WireGuard's crypt queue is, so that a job never waits for a busy CPU
 * while another one idles. The crypt stage never frees or unlinks a
 * packet: it only marks it; the serial stage (tx work, NAPI) takes
 * marked packets off the head and frees or sends them. So a packet
 * waiting for a slow CPU holds back the ones behind it, never the
 * other way round.
 *
 * Lifetimes: a queued packet names its key and, through it, its peer.
 * Keys and peers are freed from podnet_wq after an RCU grace period;
 * every packet was queued (ring and work) inside an RCU read section
 * that found the key or peer, so once the grace period is over, a flush
 * of podnet_crypt_wq has seen every such packet through the crypt stage
 * (a crypt worker drains the rings it takes from before it returns,
 * and a flush waits for every worker that took one). See
 * podnet_key_free_work() and podnet_peer_free_work().
 */
#include "pipeline.h"

#include <linux/cpumask.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/ptr_ring.h>

#include "receive.h"
#include "send.h"

/* Jobs one CPU's worker may have waiting, all peers together (the
 * shared ring holds twice as many). */
#define PODNET_CRYPT_RING 2048
/* Packets a worker seals or opens between two chances for softirqs
 * and the scheduler (at least one job). */
#define PODNET_CRYPT_BATCH 8

struct podnet_crypt_cpu {
	struct ptr_ring ring;
	struct work_struct work;
	atomic_t queued;	/* jobs in @ring, near enough */
};

struct workqueue_struct *podnet_crypt_wq;
static struct podnet_crypt_cpu __percpu *podnet_crypt;

/* The ring every CPU's worker takes from. Per-CPU rings (shared_ring
 * off, the rule before 2026-12-03) left the vCPUs 11 % idle where this
 * leaves 4 % (doc/vm.md); the switch stays for measuring. */
static struct ptr_ring podnet_crypt_shared;
static atomic_t podnet_crypt_shared_queued;
static bool podnet_shared_ring = true;
module_param_named(shared_ring, podnet_shared_ring, bool, 0644);
MODULE_PARM_DESC(shared_ring,
		 "every CPU's crypt worker takes jobs from one ring");

/* A switch for measuring (doc/vm.md, BENCH_PODNET_VARIANTS); the
 * default is what measured best. */
bool podnet_burst_jobs = true;
module_param_named(burst_jobs, podnet_burst_jobs, bool, 0644);
MODULE_PARM_DESC(burst_jobs, "a GSO burst's segments are one crypt job");

/* Below this many waiting jobs a CPU keeps its own: a lone packet (a
 * ping) is sealed where it was sent, without waking another CPU. */
static unsigned int podnet_crypt_local = 2;
module_param_named(crypt_local, podnet_crypt_local, uint, 0644);
MODULE_PARM_DESC(crypt_local,
		 "a CPU keeps its crypt jobs while fewer than this many wait");

/* Jobs in a row that go to the same CPU once they are spread. One, as
 * WireGuard does: a job is a whole GSO burst, and handing bursts out
 * in turn kept every CPU busy where runs of 8 left a fifth idle
 * (doc/vm.md, 2026-12-03). */
static unsigned int podnet_crypt_chunk = 1;
module_param_named(crypt_chunk, podnet_crypt_chunk, uint, 0644);
MODULE_PARM_DESC(crypt_chunk, "crypt jobs in a row sent to one other CPU");

/* The next job for this CPU's worker: its own ring first. The count
 * spares the shared ring's default a lock per job on an empty ring; a
 * job counted late was queued with this work again behind it. */
static struct sk_buff *podnet_crypt_next(struct podnet_crypt_cpu *c)
{
	struct sk_buff *skb = NULL;

	if (atomic_read(&c->queued))
		skb = ptr_ring_consume(&c->ring);
	if (skb) {
		atomic_dec(&c->queued);
		return skb;
	}
	skb = ptr_ring_consume(&podnet_crypt_shared);
	if (skb)
		atomic_dec(&podnet_crypt_shared_queued);
	return skb;
}

static void podnet_crypt_work(struct work_struct *work)
{
	struct podnet_crypt_cpu *c = container_of(work, struct podnet_crypt_cpu,
						  work);
	struct sk_buff *skb;
	unsigned int n = 0;

	/* Bottom halves stay off for a batch: the NAPI polls and the
	 * sends it wakes then run once for the batch, and GRO gets
	 * packets to merge. To the last job: a flush of the workqueue
	 * relies on it. */
	local_bh_disable();
	while ((skb = podnet_crypt_next(c))) {
		if (PODNET_PKT(skb)->rx) {
			podnet_receive_crypt(skb);
			n++;
		} else {
			n += podnet_send_crypt(skb);
		}
		podnet_batch_yield(&n, PODNET_CRYPT_BATCH);
	}
	local_bh_enable();
}

/**
 * podnet_pipeline_init() - the crypt workqueue and one ring per CPU
 *
 * Return: 0 or -ENOMEM.
 */
int podnet_pipeline_init(void)
{
	int cpu;

	podnet_crypt_wq = alloc_workqueue("podnet-crypt",
					  WQ_CPU_INTENSIVE | WQ_MEM_RECLAIM, 0);
	if (!podnet_crypt_wq)
		return -ENOMEM;
	if (ptr_ring_init(&podnet_crypt_shared, PODNET_CRYPT_RING * 2,
			  GFP_KERNEL))
		goto err;
	atomic_set(&podnet_crypt_shared_queued, 0);
	podnet_crypt = alloc_percpu(struct podnet_crypt_cpu);
	if (!podnet_crypt)
		goto err;
	for_each_possible_cpu(cpu) {
		struct podnet_crypt_cpu *c = per_cpu_ptr(podnet_crypt, cpu);

		INIT_WORK(&c->work, podnet_crypt_work);
		atomic_set(&c->queued, 0);
		if (ptr_ring_init(&c->ring, PODNET_CRYPT_RING, GFP_KERNEL))
			goto err;
	}
	return 0;

err:
	podnet_pipeline_exit();
	return -ENOMEM;
}

/**
 * podnet_pipeline_exit() - free what podnet_pipeline_init() made
 *
 * Every device, peer and key is gone by now, so every ring is empty.
 */
void podnet_pipeline_exit(void)
{
	int cpu;

	if (podnet_crypt_wq)
		destroy_workqueue(podnet_crypt_wq);
	podnet_crypt_wq = NULL;
	ptr_ring_cleanup(&podnet_crypt_shared, NULL);
	memset(&podnet_crypt_shared, 0, sizeof(podnet_crypt_shared));
	if (!podnet_crypt)
		return;
	/* A ring that failed to allocate is all zero: cleanup copes. */
	for_each_possible_cpu(cpu)
		ptr_ring_cleanup(&per_cpu_ptr(podnet_crypt, cpu)->ring, NULL);
	free_percpu(podnet_crypt);
	podnet_crypt = NULL;
}

/* Where this CPU sends its next jobs once its own worker is busy:
 * crypt_chunk in a row to one CPU, then the next one. */
struct podnet_spread {
	int cpu;
	unsigned int left;
};

static DEFINE_PER_CPU(struct podnet_spread, podnet_spread);

/* Context: BH disabled (the per-CPU state is ours). @queued: the jobs
 * waiting in the ring this one goes to. */
static int podnet_next_cpu(atomic_t *queued)
{
	struct podnet_spread *sp = this_cpu_ptr(&podnet_spread);
	int cpu = smp_processor_id();

	/* Light load: no other CPU to wake, no cache to cross. */
	if (atomic_read(queued) < (int)READ_ONCE(podnet_crypt_local))
		return cpu;
	if (sp->left && cpu_online(sp->cpu)) {
		sp->left--;
		return sp->cpu;
	}
	cpu = cpumask_next(sp->cpu, cpu_online_mask);
	if (cpu >= nr_cpu_ids)
		cpu = cpumask_first(cpu_online_mask);
	sp->cpu = cpu;
	sp->left = max(READ_ONCE(podnet_crypt_chunk), 1U) - 1;
	return cpu;
}

/**
 * podnet_crypt_enqueue() - hand a packet to the next CPU's crypt worker
 * @skb: a packet already in its peer's ordered queue, cb filled in
 *
 * Context: BH disabled, inside the RCU read section that found the
 * packet's key.
 * Return: false if that CPU's ring is full (the packet is still the
 * caller's to mark DROPPED).
 */
bool podnet_crypt_enqueue(struct sk_buff *skb)
{
	struct podnet_crypt_cpu *c;
	int cpu;

	if (READ_ONCE(podnet_shared_ring)) {
		cpu = podnet_next_cpu(&podnet_crypt_shared_queued);
		if (ptr_ring_produce_bh(&podnet_crypt_shared, skb))
			return false;
		atomic_inc(&podnet_crypt_shared_queued);
	} else {
		cpu = podnet_next_cpu(&this_cpu_ptr(podnet_crypt)->queued);
		if (ptr_ring_produce_bh(&per_cpu_ptr(podnet_crypt, cpu)->ring,
					skb))
			return false;
		atomic_inc(&per_cpu_ptr(podnet_crypt, cpu)->queued);
	}
	c = per_cpu_ptr(podnet_crypt, cpu);
	queue_work_on(cpu, podnet_crypt_wq, &c->work);
	return true;
}

/**
 * podnet_pkt_finish() - the crypt stage is done with a packet
 * @skb: the packet; the serial stage may free it as soon as this returns
 * @state: READY, CONSUMED or DROPPED
 */
void podnet_pkt_finish(struct sk_buff *skb, enum podnet_pkt_state state)
{
	atomic_set_release(&PODNET_PKT(skb)->state, state);
}

/**
 * podnet_ordered_take() - the head of an ordered queue, if it is done
 * @q: a peer's tx or rx queue
 *
 * Return: the unlinked head (its cb->state is final), or NULL if the
 * queue is empty or its head still waits for a crypt worker.
 */
struct sk_buff *podnet_ordered_take(struct sk_buff_head *q)
{
	struct sk_buff *skb;

	spin_lock_bh(&q->lock);
	skb = skb_peek(q);
	if (skb && atomic_read_acquire(&PODNET_PKT(skb)->state) !=
		   PODNET_PKT_PENDING)
		__skb_unlink(skb, q);
	else
		skb = NULL;
	spin_unlock_bh(&q->lock);
	return skb;
}

/**
 * podnet_pkt_free() - drop a job: a packet and, on tx, the rest of its
 *	burst
 * @skb: the job's first packet, off every queue
 */
void podnet_pkt_free(struct sk_buff *skb)
{
	struct sk_buff *next;

	while (skb) {
		next = PODNET_PKT(skb)->rx ? NULL : PODNET_PKT(skb)->more;
		kfree_skb(skb);
		skb = next;
	}
}

/**
 * podnet_ordered_purge() - free everything in an ordered queue
 * @q: a queue no crypt worker can still be looking at
 */
void podnet_ordered_purge(struct sk_buff_head *q)
{
	struct sk_buff *skb;

	while ((skb = skb_dequeue(q)))
		podnet_pkt_free(skb);
}

/**
 * podnet_serial_cpu() - the CPU a peer's tx work runs on
 * @n: the peer's spread number
 *
 * The same CPU every time while the online CPUs stay the same, so the
 * peer's datagrams leave from one place, in order.
 * Return: an online CPU.
 */
int podnet_serial_cpu(unsigned int n)
{
	unsigned int i = n % num_online_cpus();
	int cpu;

	for_each_online_cpu(cpu)
		if (!i--)
			return cpu;
	return cpumask_first(cpu_online_mask);
}
