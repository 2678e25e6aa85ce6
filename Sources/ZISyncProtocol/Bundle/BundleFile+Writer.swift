import Crypto
import Foundation
import ZISyncCore

extension BundleFile {
    /// Writes a bundle to a temporary file next to `url` and moves it there once complete, so a
    /// crash never leaves half a bundle under the name.
    public final class Writer {
        let url: URL
        let tmp: URL
        let out: FileHandle
        var hasher = SHA256()
        public private(set) var bytes: Int64 = 0
        private var buffer = Data()
        private let encoder: JSONEncoder = {
            let e = JSONEncoder()
            e.outputFormatting = [.sortedKeys]
            return e
        }()

        public init(url: URL, header: Header) throws {
            self.url = url
            tmp = url.deletingLastPathComponent().appendingPathComponent(
                ".\(url.lastPathComponent).\(UUID().uuidString)")
            guard FileManager.default.createFile(atPath: tmp.path, contents: nil),
                let handle = FileHandle(forWritingAtPath: tmp.path)
            else { throw ZISyncError("cannot write \(url.path)") }
            out = handle
            try emit(Data((magic + "\n").utf8))
            try emit(try encoder.encode(header) + Data("\n".utf8))
        }

        private func emit(_ data: Data) throws {
            hasher.update(data: data)
            try out.write(contentsOf: data)
            bytes += Int64(data.count)
        }

        /// One change in its wire form.
        public func change(_ wire: String) throws {
            buffer.append(contentsOf: wire.utf8)
            buffer.append(0x0A)
            if buffer.count > 1 << 20 { try flush() }
        }

        private func flush() throws {
            try emit(buffer)
            buffer.removeAll(keepingCapacity: true)
        }

        /// One file of `size` bytes, read through `chunk(offset, count)`.
        public func file(sha256: String, size: Int64, chunk: (Int64, Int) throws -> Data) throws {
            try flush()
            try emit(try encoder.encode(FileEntry(sha256: sha256, size: size)) + Data("\n".utf8))
            var copied: Int64 = 0
            while copied < size {
                let data = try chunk(copied, Int(min(size - copied, 1 << 20)))
                guard !data.isEmpty else { break }
                try emit(data)
                copied += Int64(data.count)
            }
            if copied != size { throw ZISyncError("stored file \(sha256) changed size while exporting") }
            try emit(Data("\n".utf8))
        }

        /// Writes the trailer, syncs and moves the bundle into place.
        public func finish() throws {
            try flush()
            let trailer = trailerPrefix + Hashing.hex(hasher.finalize()) + "\n"
            try out.write(contentsOf: Data(trailer.utf8))
            bytes += Int64(trailer.utf8.count)
            try out.synchronize()
            try out.close()
            if rename(tmp.path, url.path) != 0 { throw ZISyncError("cannot move the bundle to \(url.path)") }
        }

        /// Removes the unfinished temporary file (after an error).
        public func abandon() {
            try? out.close()
            try? FileManager.default.removeItem(at: tmp)
        }
    }
}
