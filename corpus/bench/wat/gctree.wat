;; GC: builds complete binary trees of structs (depth 16: 131071 nodes) several times and walks them,
;; summing the node values; returns the sum over all rounds. Allocation-, cast- and field-access-heavy.
(module
  (type $node (struct (field $left (ref null $node)) (field $right (ref null $node)) (field $value i32)))
  (func $build (param $depth i32) (param $value i32) (result (ref $node))
    (if (result (ref $node)) (i32.eqz (local.get $depth))
      (then (struct.new $node (ref.null $node) (ref.null $node) (local.get $value)))
      (else (struct.new $node
        (call $build (i32.sub (local.get $depth) (i32.const 1)) (i32.mul (local.get $value) (i32.const 2)))
        (call $build (i32.sub (local.get $depth) (i32.const 1)) (i32.add (i32.mul (local.get $value) (i32.const 2)) (i32.const 1)))
        (local.get $value)))))
  (func $walk (param $n (ref null $node)) (result i32)
    (if (result i32) (ref.is_null (local.get $n))
      (then (i32.const 0))
      (else (i32.add (struct.get $node $value (local.get $n))
        (i32.add (call $walk (struct.get $node $left (local.get $n)))
                 (call $walk (struct.get $node $right (local.get $n))))))))
  (func (export "gctree") (param $rounds i32) (result i32)
    (local $sum i32)
    (block $done
      (loop $round
        (br_if $done (i32.eqz (local.get $rounds)))
        (local.set $sum (i32.add (local.get $sum) (call $walk (call $build (i32.const 16) (i32.const 1)))))
        (local.set $rounds (i32.sub (local.get $rounds) (i32.const 1)))
        (br $round)))
    (local.get $sum)))
