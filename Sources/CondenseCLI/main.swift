import CondenseCommands
import Foundation

exit(CondenseCommandLine.run(Array(CommandLine.arguments.dropFirst())))
