// SPDX-License-Identifier: GPL-2.0
/*
 * User memory for the AEAD to work on in place of a copy: the pages behind
 * an iterator, held for the length of one crypto request.
 */
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/uio.h>

#include "ktlso.h"

/**
 * ktlso_pages_get() - hold the pages behind the next bytes of an iterator
 * @iter: a user-backed iterator; stepped past what is mapped
 * @len: bytes wanted
 * @sg: entries to point at them, not terminated here
 * @max: how many there are (at most KTLSO_PAGES_MAX)
 * @mapped: out: bytes the entries cover, @len unless the memory cannot be
 *          had (then the caller puts them and reverts the iterator)
 *
 * Return: entries used, each holding a page reference for ktlso_pages_put().
 */
unsigned int ktlso_pages_get(struct iov_iter *iter, size_t len, struct scatterlist *sg,
			     unsigned int max, size_t *mapped)
{
	struct page *pages[KTLSO_PAGES_MAX];
	unsigned int n = 0;

	*mapped = 0;
	max = min_t(unsigned int, max, KTLSO_PAGES_MAX);
	while (*mapped < len && n < max) {
		size_t start;
		ssize_t got = iov_iter_get_pages2(iter, pages, len - *mapped, max - n,
						  &start);
		unsigned int i;

		if (got <= 0)
			break;
		*mapped += got;
		for (i = 0; got > 0; i++) {
			size_t part = min_t(size_t, got, PAGE_SIZE - start);

			sg_set_page(&sg[n++], pages[i], part, start);
			got -= part;
			start = 0;
		}
	}
	return n;
}

/* Let go of what ktlso_pages_get() held. */
void ktlso_pages_put(struct scatterlist *sg, unsigned int n)
{
	while (n--)
		put_page(sg_page(&sg[n]));
}
