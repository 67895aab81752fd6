;; A module to call from the command line: harness --invoke add corpus/wasi/add.wat 1 2
(module
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1))))
