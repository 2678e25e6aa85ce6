import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The one way tests and benchmarks run programs: spawned directly (posix_spawn), both output
/// pipes drained on their own threads while the program runs (a chatty program can never block
/// on a full pipe), a time limit after which it is killed, and its own peak memory (wait4).
public final class RunningProcess: @unchecked Sendable {
    public let pid: pid_t
    public let command: String
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()
    private var readers: [Thread] = []
    private var exit: ProcessResult.Exit?
    private var usage = rusage()
    private let started = Date()
    private var finishedAt: Date?

    /// Where a stream of the program goes.
    public enum Output: Sendable {
        /// Kept in memory, readable while it runs.
        case collect
        /// Appended to a file.
        case file(String)
        case discard
    }

    /// Starts `executable` with `arguments` (and the environment, or this process's).
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        stdout: Output = .collect, stderr: Output = .collect
    ) throws {
        command = ([executable] + arguments).joined(separator: " ")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var parentEnds: [(Int32, Bool)] = []  // (fd, isStdout)
        var childEnds: [Int32] = []
        for (target, output, isStdout) in [(Int32(1), stdout, true), (Int32(2), stderr, false)] {
            switch output {
            case .collect:
                var fds: [Int32] = [0, 0]
                guard pipe(&fds) == 0 else { throw ProcessError("pipe failed: errno \(errno)") }
                posix_spawn_file_actions_adddup2(&actions, fds[1], target)
                posix_spawn_file_actions_addclose(&actions, fds[0])
                parentEnds.append((fds[0], isStdout))
                childEnds.append(fds[1])
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, target, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            case .discard:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            }
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = [executable] + arguments
        var spawned: pid_t = 0
        let rc = withCStrings(argv) { cargv in
            withCStrings(env) { cenv in posix_spawn(&spawned, executable, &actions, nil, cargv, cenv) }
        }
        for fd in childEnds { close(fd) }
        guard rc == 0 else {
            for (fd, _) in parentEnds { close(fd) }
            throw ProcessError("cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        pid = spawned
        for (fd, isStdout) in parentEnds {
            let thread = Thread { [self] in
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let n = read(fd, &buffer, buffer.count)
                    if n <= 0 { break }
                    lock.withLock {
                        if isStdout {
                            out.append(contentsOf: buffer[0..<n])
                        } else {
                            err.append(contentsOf: buffer[0..<n])
                        }
                    }
                }
                close(fd)
            }
            readers.append(thread)
            thread.start()
        }
    }

    /// What the program wrote so far (`.collect` streams only).
    public var stdout: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
    public var stderr: String { lock.withLock { String(decoding: err, as: UTF8.self) } }

    /// Reaps the program if it has exited.
    private func poll(block: Bool) -> ProcessResult.Exit? {
        lock.lock()
        if let exit {
            lock.unlock()
            return exit
        }
        lock.unlock()
        var status: Int32 = 0
        var ru = rusage()
        let r = wait4(pid, &status, block ? 0 : WNOHANG, &ru)
        guard r == pid else { return nil }
        // WIFEXITED / WTERMSIG, spelled out (the C macros do not import).
        let signal = status & 0x7F
        let result: ProcessResult.Exit = signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
        lock.withLock {
            exit = result
            usage = ru
            finishedAt = Date()
        }
        return result
    }

    public var isRunning: Bool { poll(block: false) == nil }

    /// Waits for the program to end; after `timeout` it is killed (SIGKILL) and `timedOut` is set.
    @discardableResult
    public func wait(timeout: Duration = .seconds(120)) -> ProcessResult {
        let deadline = ContinuousClock.now + timeout
        var timedOut = false
        while poll(block: false) == nil {
            if ContinuousClock.now >= deadline {
                timedOut = true
                Glibc.kill(pid, SIGKILL)
                _ = poll(block: true)
                break
            }
            usleep(2_000)
        }
        // The pipes close when the program (and whatever it started that kept them) ends.
        let readDeadline = Date().addingTimeInterval(5)
        while readers.contains(where: { !$0.isFinished }) && Date() < readDeadline { usleep(1_000) }
        return lock.withLock {
            ProcessResult(
                command: command, exit: exit ?? .signalled(SIGKILL), stdout: String(decoding: out, as: UTF8.self),
                stderr: String(decoding: err, as: UTF8.self),
                seconds: (finishedAt ?? Date()).timeIntervalSince(started),
                maxResidentKilobytes: Int(usage.ru_maxrss), timedOut: timedOut)
        }
    }

    /// Sends a signal (SIGTERM by default).
    public func signal(_ sig: Int32 = SIGTERM) {
        if isRunning { Glibc.kill(pid, sig) }
    }

    /// SIGKILL and reap: no chance to clean up, as in a power cut.
    public func kill() {
        signal(SIGKILL)
        _ = wait(timeout: .seconds(10))
    }

    deinit {
        if poll(block: false) == nil {
            Glibc.kill(pid, SIGKILL)
            _ = poll(block: true)
        }
    }
}

/// How a program ended, what it wrote, how long it ran and the most memory it held.
public struct ProcessResult: Sendable {
    public enum Exit: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)
    }

    public let command: String
    public let exit: Exit
    public let stdout: String
    public let stderr: String
    public let seconds: Double
    /// Peak resident memory of the program itself (ru_maxrss).
    public let maxResidentKilobytes: Int
    /// It ran past its time limit and was killed.
    public let timedOut: Bool

    /// The exit status; 128 + the signal when it was killed by one (as a shell reports it).
    public var status: Int32 {
        switch exit {
        case .exited(let code): code
        case .signalled(let sig): 128 + sig
        }
    }
}

public enum ProcessRunner {
    /// Runs a program to its end (or its time limit) and returns what it did.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        timeout: Duration = .seconds(120)
    ) throws -> ProcessResult {
        try RunningProcess(executable, arguments, environment: environment).wait(timeout: timeout)
    }

    /// Runs a program under GNU time, which forks it from a small process of its own: its peak
    /// memory then is its own. (A child spawned straight from a large process inherits that
    /// process's peak in ru_maxrss, as posix_spawn runs it in the parent's memory until exec.)
    public static func measured(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        timeout: Duration = .seconds(120)
    ) throws -> ProcessResult {
        let marker = "zisync-peak-kb="
        let r = try run(
            "/usr/bin/time", ["-f", "\(marker)%M", executable] + arguments, environment: environment, timeout: timeout)
        var lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var peak = r.maxResidentKilobytes
        if let i = lines.lastIndex(where: { $0.hasPrefix(marker) }) {
            peak = Int(lines[i].dropFirst(marker.count)) ?? peak
            lines.remove(at: i)
        }
        // GNU time reports a failed command on a line of its own; the status stays the command's.
        lines.removeAll {
            $0.hasPrefix("Command exited with non-zero status") || $0.hasPrefix("Command terminated by signal")
        }
        return ProcessResult(
            command: r.command, exit: r.exit, stdout: r.stdout, stderr: lines.joined(separator: "\n"),
            seconds: r.seconds,
            maxResidentKilobytes: peak, timedOut: r.timedOut)
    }
}

public struct ProcessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A NULL-terminated `char *const[]` for the duration of `body`.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for p in pointers { free(p) } }
    return body(pointers)
}
