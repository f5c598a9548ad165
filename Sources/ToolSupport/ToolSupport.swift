import ArgumentParser
import Foundation
import GrokCore
import Linalg

/// Runs a command-line tool the GrokLab way: the right BLAS kernels before anything loads,
/// `--help` on stdout, and every error as ONE line on stderr with a non-zero exit: never a
/// stack trace, never the usage dump.
public func runTool<Command: ParsableCommand>(_ command: Command.Type) -> Never {
    BLASRuntime.ensureFastCoreType()
    do {
        var cmd = try Command.parseAsRoot()
        try cmd.run()
        exit(0)
    } catch let error as GrokError {
        fail(error.message)
    } catch let error as ExitCode {
        exit(error.rawValue)
    } catch {
        let code = Command.exitCode(for: error)
        if code == .success {
            print(Command.fullMessage(for: error))
            exit(0)
        }
        fail(Command.message(for: error), code: code.rawValue)
    }
}

/// Prints "error: <message>" on one line (newlines folded) and exits.
public func fail(_ message: String, code: Int32 = 1) -> Never {
    let line = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        .filter { !$0.isEmpty }.joined(separator: "; ")
    FileHandle.standardError.write(Data("error: \(line)\n".utf8))
    exit(code == 0 ? 1 : code)
}

/// Prints a note on stderr (once per process for the BLAS kernel warning).
public func note(_ message: String) {
    FileHandle.standardError.write(Data("\(message)\n".utf8))
}
