#if canImport(Glibc)
import EvalQueue
import EvalCore
import Glibc
#endif

/// Asks on the terminal; without one (a script) the answer is no, so a
/// destructive verb in a script needs an explicit --yes.
enum Confirmation {
    static func ask(_ question: String) -> Bool {
        guard isatty(STDIN_FILENO) != 0 else {
            print("\(question) [y/N] (no terminal: use --yes)")
            return false
        }
        print("\(question) [y/N] ", terminator: "")
        guard let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() else { return false }
        return answer == "y" || answer == "yes"
    }
}

import Foundation
