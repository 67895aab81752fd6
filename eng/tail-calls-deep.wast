;; Ten million tail calls (direct, indirect through the table, and call_ref; two results) in compiled code: far more
;; frames than the JIT's 512 MiB guest stack could hold as ordinary calls, so this passes only where RyuJIT really
;; turns CIL `tail.` calls into constant-stack calls. Used to check the JIT on ARM64 under qemu (docs/jit.md):
;;   harness wast --tier jit eng/tail-calls-deep.wast
(module
  (type $t (func (param i32 i64) (result i64 i32)))
  (table funcref (elem $down))
  (elem declare func $down)
  (func $down (export "down") (type $t)
    (if (result i64 i32) (i32.eqz (local.get 0))
      (then (local.get 1) (i32.const 7))
      (else
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (local.set 1 (i64.add (local.get 1) (i64.const 1)))
        (if (i32.eq (i32.rem_u (local.get 0) (i32.const 3)) (i32.const 0))
          (then (return_call $down (local.get 0) (local.get 1))))
        (if (i32.eq (i32.rem_u (local.get 0) (i32.const 3)) (i32.const 1))
          (then (return_call_indirect (type $t) (local.get 0) (local.get 1) (i32.const 0))))
        (return_call_ref $t (local.get 0) (local.get 1) (ref.func $down))))))
(assert_return (invoke "down" (i32.const 10_000_000) (i64.const 0)) (i64.const 10_000_000) (i32.const 7))
