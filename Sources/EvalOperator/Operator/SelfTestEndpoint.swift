#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// The platform's host and port from `base_url`, resolved and connected with
/// plain POSIX calls, so selftest can say whether DNS or TCP is what fails
/// before any HTTP happens.
struct SelfTestEndpoint {
    struct Address {
        var storage: sockaddr_storage
        var length: socklen_t
        var family: Int32
        var text: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    var host: String
    var port: Int
    var isTLS: Bool

    init?(baseURL: String) {
        guard let url = URL(string: baseURL), let host = url.host, !host.isEmpty else { return nil }
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        isTLS = url.scheme?.lowercased() == "https"
        port = url.port ?? (isTLS ? 443 : 80)
    }

    func resolve() throws(Failure) -> [Address] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw Failure(description: "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(first) }
        var addresses: [Address] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let info = node?.pointee {
            node = info.ai_next
            guard let sockaddrPointer = info.ai_addr else { continue }
            var storage = sockaddr_storage()
            withUnsafeMutableBytes(of: &storage) { target in
                target.copyMemory(from: UnsafeRawBufferPointer(start: sockaddrPointer, count: Int(info.ai_addrlen)))
            }
            var name = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            _ = getnameinfo(sockaddrPointer, info.ai_addrlen, &name, socklen_t(name.count), nil, 0, NI_NUMERICHOST)
            let text = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !addresses.contains(where: { $0.text == text }) {
                addresses.append(Address(storage: storage, length: info.ai_addrlen, family: info.ai_family, text: text))
            }
        }
        guard !addresses.isEmpty else { throw Failure(description: "\(host) has no address") }
        return addresses
    }

    /// Connects to the first address that answers within `timeoutMillis` and closes again.
    func reach(_ addresses: [Address], timeoutMillis: Int) throws(Failure) -> Address {
        var reasons: [String] = []
        for address in addresses {
            if let reason = Self.tryConnect(address, timeoutMillis: timeoutMillis) {
                reasons.append("\(address.text): \(reason)")
            } else {
                return address
            }
        }
        throw Failure(description: "cannot connect to port \(port): " + reasons.joined(separator: "; "))
    }

    /// nil when connected, else why not.
    private static func tryConnect(_ address: Address, timeoutMillis: Int) -> String? {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        defer { close(fd) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var storage = address.storage
        let started = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, address.length) }
        }
        if started == 0 { return nil }
        guard errno == EINPROGRESS else { return String(cString: strerror(errno)) }
        var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let ready = poll(&poller, 1, Int32(clamping: timeoutMillis))
        if ready == 0 { return "no answer within \(timeoutMillis) ms" }
        if ready < 0 { return String(cString: strerror(errno)) }
        var failure: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &size)
        return failure == 0 ? nil : String(cString: strerror(failure))
    }
}
