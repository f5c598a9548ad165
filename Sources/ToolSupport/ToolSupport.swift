import ArgumentParser
import Foundation
import GrokCore

/// Runs a command-line tool the GrokLab way: the right BLAS kernels before anything loads,
/// `--help` on stdout, and every error as ONE line on stderr with a non-zero exit: never a
/// stack trace, never the usage dump.
public func runTool<Command: ParsableCommand>(_ command: Command.Type) -> Never {
    BLASRuntime.ensureFastCoreType()
    do {
        var cmd = try Command.parseAsRoot(NegativeValues.attached(Array(CommandLine.arguments.dropFirst())))
        try cmd.run()
        exit(0)
    } catch let error as GrokError {
        fail(error.message, code: error.exitCode)
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

/// A negative number after an option is its value: `--jobs -1` reads as `--jobs=-1`, so the
/// tool can say the value is invalid instead of the parser calling it a missing value (it
/// takes "-1" for a short flag). None of the tools has a short flag that is a digit.
public enum NegativeValues {
    /// The arguments with every `--name -NUMBER...` pair joined as `--name=-NUMBER...`.
    public static func attached(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if a.hasPrefix("--"), a.count > 2, !a.contains("="), i + 1 < arguments.count, isNegativeNumber(arguments[i + 1]) {
                out.append(a + "=" + arguments[i + 1])
                i += 2
                continue
            }
            if a == "--" { out += arguments[i...]; break }
            out.append(a)
            i += 1
        }
        return out
    }

    /// "-1", "-0.5", "-.5", "-1e-3", "-1,0.8", "-inf", "-nan": what only a value can be.
    static func isNegativeNumber(_ s: String) -> Bool {
        guard s.hasPrefix("-"), s.count > 1 else { return false }
        let rest = s.dropFirst()
        if let c = rest.first, c.isNumber || c == "." { return true }
        let word = rest.split(separator: ",").first.map { $0.lowercased() } ?? ""
        return ["inf", "infinity", "nan"].contains(word)
    }
}
