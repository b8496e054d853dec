//! Whether an IP address is in a CIDR block: shared by SNS filter policies and EventBridge
//! event patterns, whose `cidr` operators agree. Pure, a leaf.

use std::net::IpAddr;

/// `ip` within `network/bits`; an IPv4 address is never in an IPv6 block, nor the reverse.
pub(crate) fn in_network(ip: IpAddr, network: IpAddr, bits: u8) -> bool {
    let (ip, network, width) = match (ip, network) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u32::from(a) as u128, u32::from(b) as u128, 32),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128),
        _ => return false,
    };
    let shift = width - u32::from(bits);
    shift >= width || (ip >> shift) == (network >> shift)
}
