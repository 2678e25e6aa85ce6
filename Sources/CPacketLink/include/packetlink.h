#ifndef ZISYNC_PACKETLINK_H
#define ZISYNC_PACKETLINK_H

// The two system calls the bench's packet-level link needs and Swift cannot call directly
// (setns is a GNU extension; ioctl is variadic). Root only.

/// Moves the calling thread into the network namespace at `path` (/var/run/netns/NAME); 0 or -errno.
int zs_enter_netns(const char *path);

/// Opens a TUN device `name` (IFF_TUN, no packet information) in the calling thread's namespace,
/// non-blocking; its descriptor, or -errno.
int zs_open_tun(const char *name);

#endif
