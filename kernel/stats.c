// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/ktlso_stat: per-network-namespace counters, one "Name value"
 * line each, like /proc/net/tls_stat.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "ktlso.h"

static unsigned int stats_id __read_mostly;

struct ktlso_net_stats {
	atomic64_t v[KTLSO_NUM_STATS];
};

static const char *const names[KTLSO_NUM_STATS] = {
	[KTLSO_STAT_CURR_SOCKETS] = "KtlsoCurrSockets",
	[KTLSO_STAT_CURR_TX] = "KtlsoCurrTx",
	[KTLSO_STAT_CURR_RX] = "KtlsoCurrRx",
	[KTLSO_STAT_TX_RECORDS] = "KtlsoTxRecords",
	[KTLSO_STAT_TX_BYTES] = "KtlsoTxBytes",
	[KTLSO_STAT_RX_RECORDS] = "KtlsoRxRecords",
	[KTLSO_STAT_RX_BYTES] = "KtlsoRxBytes",
	[KTLSO_STAT_DECRYPT_ERRORS] = "KtlsoDecryptErrors",
	[KTLSO_STAT_REKEY_TX] = "KtlsoRekeyTx",
	[KTLSO_STAT_REKEY_RX] = "KtlsoRekeyRx",
	[KTLSO_STAT_KEYUPDATE_TX] = "KtlsoKeyUpdateTx",
	[KTLSO_STAT_KEYUPDATE_RX] = "KtlsoKeyUpdateRx",
	[KTLSO_STAT_KEYUPDATE_REQUESTED] = "KtlsoKeyUpdateRequested",
	[KTLSO_STAT_ALERT_TX] = "KtlsoAlertTx",
	[KTLSO_STAT_ALERT_RX] = "KtlsoAlertRx",
	[KTLSO_STAT_TICKET_RX] = "KtlsoTicketRx",
};

void ktlso_stat_add(const struct sock *sk, enum ktlso_stat item, s64 n)
{
	struct ktlso_net_stats *s = net_generic(sock_net(sk), stats_id);

	atomic64_add(n, &s->v[item]);
}

static int show(struct seq_file *seq, void *v)
{
	struct ktlso_net_stats *s = net_generic(seq_file_single_net(seq), stats_id);
	int i;

	for (i = 0; i < KTLSO_NUM_STATS; i++)
		seq_printf(seq, "%-32s%lld\n", names[i], atomic64_read(&s->v[i]));
	return 0;
}

static int __net_init stats_net_init(struct net *net)
{
	if (!proc_create_net_single("ktlso_stat", 0444, net->proc_net, show, NULL))
		return -ENOMEM;
	return 0;
}

static void __net_exit stats_net_exit(struct net *net)
{
	remove_proc_entry("ktlso_stat", net->proc_net);
}

static struct pernet_operations stats_net_ops = {
	.init = stats_net_init,
	.exit = stats_net_exit,
	.id = &stats_id,
	.size = sizeof(struct ktlso_net_stats),
};

int ktlso_stats_init(void)
{
	return register_pernet_subsys(&stats_net_ops);
}

void ktlso_stats_uninit(void)
{
	unregister_pernet_subsys(&stats_net_ops);
}
