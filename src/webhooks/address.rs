//! Which receivers a webhook may call: not the server's own network (loopback, private,
//! link-local, cloud metadata), unless `GOCUA_WEBHOOK_ALLOW_PRIVATE=1`. Checked when a
//! webhook is created and again before each attempt, since a name may resolve elsewhere later.

use std::net::{IpAddr, ToSocketAddrs};

/// Why an address is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not `http://` or `https://` with a host.
    NotHttp,
    /// The name does not resolve.
    Unresolvable,
    /// It resolves into a private, loopback or link-local network.
    Private(IpAddr),
}

/// Whether an address is on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19)))
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public(IpAddr::V4(v4)),
            None => {
                let first = v6.segments()[0];
                !(v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || (first & 0xfe00) == 0xfc00
                    || (first & 0xffc0) == 0xfe80)
            }
        },
    }
}

/// Checks a receiver URL: its scheme and host, and every address its host resolves to.
pub fn check(url: &str, allow_private: bool) -> Result<(), Refusal> {
    let uri: awc::http::Uri = url.parse().map_err(|_| Refusal::NotHttp)?;
    let port = match uri.scheme_str() {
        Some("https") => uri.port_u16().unwrap_or(443),
        Some("http") => uri.port_u16().unwrap_or(80),
        _ => return Err(Refusal::NotHttp),
    };
    let host = uri
        .host()
        .filter(|h| !h.is_empty())
        .ok_or(Refusal::NotHttp)?;
    if allow_private {
        return Ok(());
    }
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => (host, port)
            .to_socket_addrs()
            .map_err(|_| Refusal::Unresolvable)?
            .map(|a| a.ip())
            .collect(),
    };
    if addresses.is_empty() {
        return Err(Refusal::Unresolvable);
    }
    match addresses.into_iter().find(|ip| !is_public(*ip)) {
        Some(ip) => Err(Refusal::Private(ip)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_servers_own_networks_are_refused() {
        for url in [
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "http://10.1.2.3/",
            "http://172.16.0.9/",
            "http://192.168.1.10/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/",
            "http://[fe80::1]/",
            "http://[fd00::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://0.0.0.0/",
            "http://100.64.0.1/",
        ] {
            assert!(
                matches!(check(url, false), Err(Refusal::Private(_))),
                "{url}"
            );
            assert_eq!(check(url, true), Ok(()), "{url}");
        }
        for url in [
            "ftp://example.com/",
            "example.com",
            "http:///x",
            "file:///etc/passwd",
        ] {
            assert_eq!(check(url, true), Err(Refusal::NotHttp), "{url}");
        }
        assert_eq!(check("https://8.8.8.8/hook", false), Ok(()));
        assert_eq!(check("http://[2001:4860:4860::8888]/", false), Ok(()));
    }
}
