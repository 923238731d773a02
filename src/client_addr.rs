//! The client's address for rate limits and the audit log. Behind a reverse proxy every
//! request comes from the proxy, so a login throttle per address would lock out a whole
//! province at once; proxies listed in `GOCUA_TRUSTED_PROXIES` are looked through via
//! `X-Forwarded-For`. Untrusted peers cannot spoof it: their header is ignored.

use std::net::IpAddr;

use actix_web::HttpRequest;
use ipnet::IpNet;

/// Parses `GOCUA_TRUSTED_PROXIES`: comma-separated addresses or CIDR ranges.
pub fn parse_trusted(raw: &str) -> anyhow::Result<Vec<IpNet>> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    anyhow::anyhow!("GOCUA_TRUSTED_PROXIES: {s:?} is not an address or CIDR range")
                })
        })
        .collect()
}

/// The address of the client: the peer, or, when the peer is a trusted proxy, the nearest
/// address in `X-Forwarded-For` that is not one (each proxy appends the address it saw).
pub fn client_ip(req: &HttpRequest, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    forwarded
        .iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .or(forwarded.first())
        .copied()
        .or(Some(peer))
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn request(peer: &str, forwarded: Option<&str>) -> HttpRequest {
        let mut r = TestRequest::default().peer_addr(format!("{peer}:4000").parse().unwrap());
        if let Some(f) = forwarded {
            r = r.insert_header(("x-forwarded-for", f));
        }
        r.to_http_request()
    }

    #[test]
    fn looks_through_trusted_proxies_only() {
        let trusted = parse_trusted("10.0.0.0/8, 127.0.0.1").unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            client_ip(&request("127.0.0.1", Some("203.0.113.9")), &trusted),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(
            client_ip(
                &request("10.1.2.3", Some("1.1.1.1, 203.0.113.9, 10.0.0.5")),
                &trusted
            ),
            Some(ip("203.0.113.9")),
            "a client-supplied left part is not believed"
        );
        assert_eq!(
            client_ip(&request("198.51.100.7", Some("203.0.113.9")), &trusted),
            Some(ip("198.51.100.7")),
            "an untrusted peer cannot claim another address"
        );
        assert_eq!(
            client_ip(&request("127.0.0.1", None), &trusted),
            Some(ip("127.0.0.1"))
        );
        assert_eq!(
            client_ip(&request("127.0.0.1", Some("junk")), &[]),
            Some(ip("127.0.0.1"))
        );
        assert!(parse_trusted("10.0.0.0/33").is_err());
        assert!(parse_trusted("").unwrap().is_empty());
    }
}
