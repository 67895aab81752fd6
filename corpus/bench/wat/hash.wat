;; FNV-1a over a buffer it first fills with a xorshift stream: a load/store-heavy byte loop.
(module
  (memory 16)
  (func (export "hash") (param $len i32) (result i32)
    (local $i i32) (local $x i32) (local $h i32)
    (local.set $x (i32.const 2463534242))
    (block $filled
      (loop $fill
        (br_if $filled (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 13))))
        (local.set $x (i32.xor (local.get $x) (i32.shr_u (local.get $x) (i32.const 17))))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 5))))
        (i32.store8 (local.get $i) (local.get $x))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $fill)))
    (local.set $h (i32.const 2166136261))
    (local.set $i (i32.const 0))
    (block $done
      (loop $mix
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $h (i32.mul (i32.xor (local.get $h) (i32.load8_u (local.get $i))) (i32.const 16777619)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $mix)))
    (local.get $h)))
