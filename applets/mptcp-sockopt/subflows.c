/* Subflow lists at the kernel's stride, and the wait for subflows. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "io.h"
#include "subflows.h"

#define HDR ((uint32_t)sizeof(struct mptcp_subflow_data))

int mpt_subflow_request(int fd, int optname, uint32_t elem_size, unsigned room,
			struct mpt_subflow_reply *r)
{
	_Alignas(8) unsigned char buf[sizeof(struct mptcp_subflow_data) +
				      MPT_ELEMS_MAX * TI_BUF];
	socklen_t len;
	size_t stride;

	if (elem_size > TI_BUF || room > MPT_ELEMS_MAX) {
		errno = EINVAL;
		return -1;
	}
	memset(r, 0, sizeof *r);
	memset(buf, 0, sizeof buf);
	r->d.size_subflow_data = HDR;
	r->d.size_user = elem_size;
	memcpy(buf, &r->d, HDR);
	len = (socklen_t)(HDR + room * elem_size);
	if (getsockopt(fd, SOL_MPTCP, optname, buf, &len) < 0)
		return -1;
	memcpy(&r->d, buf, HDR);
	r->optlen = len;
	stride = r->d.size_user;
	if (len > HDR + room * elem_size || stride > elem_size) {
		errno = EPROTO;
		return -1;
	}
	/* The kernel packs the elements size_user bytes apart, and size_user
	 * may be smaller than what was asked (tcp_info is 232 bytes on 6.1,
	 * 280 on 6.18): reading them at the requested size goes astray from
	 * the second on. */
	while (stride && r->count < room && r->count < r->d.num_subflows &&
	       HDR + (r->count + 1) * stride <= len) {
		memcpy(r->elem[r->count], buf + HDR + r->count * stride, stride);
		r->count++;
	}
	return 0;
}

int mpt_established_subflows(int fd)
{
	_Alignas(8) unsigned char buf[sizeof(struct mptcp_subflow_data) + 64];
	struct mptcp_subflow_data d = { HDR, 0, 0, 1 };
	socklen_t len = sizeof buf;
	int n = 0;

	memset(buf, 0, sizeof buf);
	memcpy(buf, &d, HDR);
	if (getsockopt(fd, SOL_MPTCP, MPTCP_TCPINFO, buf, &len) < 0)
		return -1;
	memcpy(&d, buf, HDR);
	/* One-byte elements: each is a subflow's tcpi_state. */
	for (uint32_t i = 0; i < d.num_subflows && d.size_user == 1 && HDR + i < len; i++)
		n += buf[HDR + i] == MPT_TCP_ESTABLISHED;
	return n;
}

void mpt_drain_events(int events)
{
	unsigned char buf[4096];

	while (recv(events, buf, sizeof buf, MSG_DONTWAIT) > 0 || errno == ENOBUFS)
		;
}

int mpt_wait_subflows(int fd, unsigned want, int events, int64_t deadline_ms,
		      unsigned *have)
{
	for (;;) {
		struct pollfd p = { events, POLLIN, 0 };
		int n = mpt_established_subflows(fd);
		int64_t until = deadline_ms;

		if (n < 0)
			return -1;
		*have = (unsigned)n;
		if ((unsigned)n >= want)
			return 0;
		/* Without the event socket (no privilege to join its group),
		 * count again every 10 ms. */
		if (events < 0 && now_ms() + 10 < deadline_ms)
			until = now_ms() + 10;
		n = poll_until(&p, events < 0 ? 0 : 1, until);
		if (n < 0)
			return -1;
		if (n > 0)
			mpt_drain_events(events);
		else if (until == deadline_ms) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
}

int mpt_full_info_request(int fd, unsigned room, struct mpt_full_reply *r)
{
	static _Alignas(8) unsigned char sf[MPT_ELEMS_MAX * sizeof(struct mptcp_subflow_info)];
	static _Alignas(8) unsigned char ti[MPT_ELEMS_MAX * TI_BUF];
	_Alignas(8) unsigned char buf[FULL_OFF_INFO + MI_BUF];
	size_t sf_stride, ti_stride;
	socklen_t len = sizeof buf;

	if (room > MPT_ELEMS_MAX) {
		errno = EINVAL;
		return -1;
	}
	memset(r, 0, sizeof *r);
	memset(buf, 0, sizeof buf);
	memset(sf, 0, sizeof sf);
	memset(ti, 0, sizeof ti);
	r->h.size_tcpinfo_user = TI_BUF;
	r->h.size_sfinfo_user = sizeof(struct mptcp_subflow_info);
	r->h.size_arrays_user = room;
	r->h.subflow_info = (uint64_t)(uintptr_t)sf;
	r->h.tcp_info = (uint64_t)(uintptr_t)ti;
	memcpy(buf, &r->h, sizeof r->h);
	if (getsockopt(fd, SOL_MPTCP, MPTCP_FULL_INFO, buf, &len) < 0)
		return -1;
	memcpy(&r->h, buf, sizeof r->h);
	memcpy(r->info, buf + FULL_OFF_INFO, sizeof r->info);
	r->optlen = len;
	sf_stride = r->h.size_sfinfo_user;
	ti_stride = r->h.size_tcpinfo_user;
	if (sf_stride > sizeof(struct mptcp_subflow_info) || ti_stride > TI_BUF) {
		errno = EPROTO;
		return -1;
	}
	/* Both arrays are packed at the sizes the kernel settled on. */
	while (r->count < room && r->count < r->h.num_subflows) {
		memcpy(&r->sf[r->count], sf + r->count * sf_stride, sf_stride);
		memcpy(r->ti[r->count], ti + r->count * ti_stride, ti_stride);
		r->count++;
	}
	return 0;
}
