;; The plain counted loop of `bench --rate`: the interpreter's instructions per second. Each iteration runs the
;; 12 instructions of the loop body (bench/InstructionRate.cs counts them from this text); the sum keeps the
;; loop's work observable, so no engine can drop it.
(module
  (func (export "count") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc)))
