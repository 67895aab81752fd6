(module
  (type 0 [i32 i32] -> [i32])
  (type 1 [i64 i64] -> [i64])
  (type 2 [i32] -> [i32])
  (type 3 [] -> [])
  (memory 1 1)
  (global 0 (mut i32) (i32.const 316; end))
  (global 1 (mut i64) (i64.const 107; end))
  (global 2 (mut i64) (i64.const 20; end))
  (func 0 (type 2) ;; [i32] -> [i32]
    (local i32 i64 f32 f64 v128 i32 i64)
    global.get 2
    if
    end
    global.get 2
    local.get 1
    i64.extend_i32_u
    global.set 3
  )
  (func 1 (type 3) ;; [] -> []
    (local i32 i64 f32 f64 v128 i32 i64)
  )
  (func 2 (type 3) ;; [] -> []
    (local i32 i64 f32 f64 v128 i32 i64 f64 f64)
    global.get 2
    i32.eqz
    if
      return
    end
    global.get 2
    i32.const 1
    i32.sub
    global.set 2
    f64.const 0
    i32.const 0
    i64.const 0
    i64.const -1
    i64.ge_u
    call_indirect 2
    call_indirect 3
    local.get 3
    i64.reinterpret_f64
    global.get 3
    memory.size 0
    f64.reinterpret_i64
    f64.const 0
    f64.lt
    ref.null func
    i32.const 0
    i32x4.splat
    ref.null func
    ref.is_null
    i32x4.splat
    v128.xor
    i64x2.extract_lane 0
    global.set 3
    ref.is_null
    i32.xor
    i64.extend_i32_u
    i64.xor
    i64.xor
    local.set 1
    i64.reinterpret_f64
    global.set 3
  )
  (func 3 (type 3) ;; [] -> []
    (local i32 i64 f32 f64 v128 i32 i64)
  )
  (func 4 (type 3) ;; [] -> []
  )
  (export "mem" (memory 0))
  (export "table" (table 0))
  (export "f2" (function 5))
  (export "callback" (function 3))
  (export "__reset_fuel" (function 7))
  (export "g1" (global 3))
  (export "g2" (global 4))
  (elem active (offset i32.const 0; end) (ref.func 2; end))
  (elem declarative (ref.func 0; end) (ref.func 1; end) (ref.func 2; end) (ref.func 3; end) (ref.func 4; end) (ref.func 5; end) (ref.func 6; end))
  (data active (offset i64.const 279; end) "\92\81\5a\a3\26\b8\73\81\1c\29\56\c7\0f\e8\72\d8\e3\15\8d\d9\c6\5a\ba\23\92\81\3f\f9\60\46")
  (data passive "\a9\3d\44\d5\b7\e9\08\48\47\1a\a8\35\5a\8e\d3\df\4d\1d\f6\37\c6\36\11\a5\79\79")
)
