// The training room (the loop, evaluation and metrics) is its own target below this one; `import Condense` keeps
// reaching it, as it did when it lived here.
@_exported import CondenseTraining
