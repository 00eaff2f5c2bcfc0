import CondenseCore
import Foundation

/// Runs one command line and returns the process exit status: 0 on success, 1 with a one-line reason on failure,
/// 2 for a command line that does not parse.
func runCondense(_ words: [String]) -> Int32 {
    guard let name = words.first, name != "--help", name != "-h", name != "help" else {
        print(generalHelp())
        return words.isEmpty ? 2 : 0
    }
    guard let command = commands.first(where: { $0.name == name }) else {
        FileHandle.standardError.write(Data("condense: unknown command '\(name)'\n\n\(generalHelp())\n".utf8))
        return 2
    }
    let rest = Array(words.dropFirst())
    if rest.contains("--help") || rest.contains("-h") {
        print(help(for: command))
        return 0
    }
    do {
        let arguments = try ParsedArguments(rest, specs: command.options, command: name)
        try command.run(arguments, Console(json: arguments.flag("json")))
        return 0
    } catch let error as UsageError {
        FileHandle.standardError.write(Data("condense \(name): \(error)\n".utf8))
        return 2
    } catch {
        FileHandle.standardError.write(Data("condense \(name): \(error)\n".utf8))
        return 1
    }
}

exit(runCondense(Array(CommandLine.arguments.dropFirst())))
