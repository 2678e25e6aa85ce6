import Foundation
import Testing
import ZISyncTestSupport

/// The web app in a real browser: headless Chromium (Debian's `chromium`, `chromium-driver`)
/// driven over WebDriver by Tests/Browser/halaman_kerja.py, which starts its own province and
/// kab/kota daemons. Run inside a network namespace whose only interface is loopback when this
/// process may make one (root): the pages must work with no internet at all.
@Suite struct BrowserTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Browser/halaman_kerja.py")

    /// Why the browser test cannot run here, nil when it can.
    static let missing: String? = {
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"]
        where !FileManager.default.isExecutableFile(atPath: tool) {
            return "\(tool) is not installed (scripts/install-deps.sh installs chromium and chromium-driver)"
        }
        let selenium = try? ProcessRunner.run(
            "/usr/bin/env", ["python3", "-c", "import selenium"], timeout: .seconds(60))
        if selenium?.status != 0 {
            return "the Python package selenium is missing (scripts/install-deps.sh installs it)"
        }
        return nil
    }()

    /// Whether `unshare --net` works here (root, and the kernel allows it).
    static let canIsolate: Bool = {
        let r = try? ProcessRunner.run(
            "/usr/bin/env", ["unshare", "--net", "--", "ip", "link", "set", "lo", "up"], timeout: .seconds(30))
        return r?.status == 0
    }()

    @Test(.enabled(if: missing == nil, "browser test skipped: \(missing ?? "")"))
    func theZICycleInABrowserWithNoInternet() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("zisync-browser-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        var args = [Self.script.path, "--zisync", CLI.binary.path, "--out", out.path]
        // ZISYNC_SCREENSHOTS=docs/web writes them into the docs too (docs/web.md shows them).
        if let docs = ProcessInfo.processInfo.environment["ZISYNC_SCREENSHOTS"], !docs.isEmpty {
            args += ["--docs", docs]
        }
        let command: [String]
        if Self.canIsolate {
            command =
                [
                    "unshare", "--net", "--", "/bin/sh", "-c", "ip link set lo up && exec python3 \"$@\" --offline",
                    "sh",
                ] + args
        } else {
            print(
                "BrowserTests: cannot make a network namespace here (needs root): the pages run with the host's network"
            )
            command = ["python3"] + args
        }
        let r = try ProcessRunner.run("/usr/bin/env", command, environment: CLI.environment, timeout: .seconds(600))
        #expect(!r.timedOut, "the browser test ran longer than 10 minutes")
        #expect(r.status == 0, "halaman_kerja.py: \(r.stdout)\n\(r.stderr)")
        let shots = (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []
        #expect(shots.filter { $0.hasSuffix(".png") }.count == 19, "\(shots)")
    }
}
