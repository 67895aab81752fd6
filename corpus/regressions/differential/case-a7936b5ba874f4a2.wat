(module
  (type 0 [i32 i32] -> [i32])
  (type 1 [i64 i64] -> [i64])
  (type 2 [i32] -> [i32])
  (type 3 [f32] -> [])
  (type 4 [] -> [])
  (type 5 [(ref null func) (ref null extern) i32] -> [])
  (type 6 [v128 v128] -> [])
  (type 7 [i64 (ref null extern) i32] -> [f64])
  (type 8 [] -> [(ref null extern) v128])
  (type 9 [] -> [(ref null func)])
  (type 10 [i64 i32] -> [])
  (type 11 [] -> [(ref null exn)])
  (type 12 [i64 i64] -> [(ref null func) (ref null func)])
  (type 13 [] -> [f32 (ref null exn)])
  (type 14 [] -> [(ref null extern) i32])
  (memory 2 4)
  (global 0 (mut i32) (i32.const 335; end))
  (global 1 (mut i64) (i64.const -8025134926243868765; end))
  (func 0 (type 2) ;; [i32] -> [i32]
    (local (ref null exn) (ref null func) i32 i64 f32 f64 v128 i32 i64)
    global.get 1
    i32.eqz
    if
      i32.const 0
      return
    end
    global.get 1
    i32.const 1
    i32.sub
    global.set 1
    global.get 0
    loop (type 8)
      global.get 1
      i32.eqz
      if
        i32.const 0
        return
      end
      global.get 1
      i32.const 1
      i32.sub
      global.set 1
      ref.null extern
      v128.const 0x00000000000000000000000000000000
    end
    block (type 9)
      throw 1
    end
    ref.is_null
    i32x4.splat
    v128.xor
    i64x2.extract_lane 1
    global.set 2
    ref.is_null
    i64.extend_i32_u
    i64.xor
    i32.wrap_i64
  )
  (func 1 (type 5) ;; [(ref null func) (ref null extern) i32] -> []
    (local (ref null exn) i64 i32 i64 f32 f64 v128 i32 i64)
  )
  (func 2 (type 6) ;; [v128 v128] -> []
    (local i64 i32 i64 f32 f64 v128 i32 i64)
  )
  (func 3 (type 7) ;; [i64 (ref null extern) i32] -> [f64]
    (local (ref null func) i32 i64 f32 f64 v128 i32 i64)
    global.get 1
    i32.eqz
    if
      f64.const 0
      return
    end
    global.get 1
    i32.const 1
    i32.sub
    global.set 1
    table.size 0
    ref.func 2
    call_ref 2
    i64.extend_i32_u
    local.get 0
    try_table (type 12)
      global.set 2
      f32.const 0
      i32.reinterpret_f32
      i64.extend_i32_u
      i64.xor
      global.set 2
      ref.null func
      ref.null func
    end
    i32.const 0
    block (type 13)
      try_table (type 14)
        i32.const 0
        call_indirect 4
        ref.null extern
        i32.const 0
      end
      i64.extend_i32_u
      global.get 2
      i64.xor
      global.set 2
      ref.is_null
      f32.convert_i32_s
      local.get 6
      i32.reinterpret_f32
      i64.extend_i32_u
      global.get 2
      i64.xor
      global.set 2
      ref.null exn
    end
    ref.is_null
    local.set 4
    i32.reinterpret_f32
    i32.xor
    i64.extend_i32_u
    global.get 2
    i64.xor
    global.set 2
    drop
    ref.is_null
    f64.convert_i32_s
  )
  (func 4 (type 4) ;; [] -> []
  )
  (export "mem" (memory 0))
  (export "t0" (tag 1))
  (export "table" (table 0))
  (export "f3" (function 6))
  (export "callback" (function 3))
  (export "__reset_fuel" (function 7))
  (export "g1" (global 2))
  (elem active (offset i32.const 0; end) (ref.func 5; end) (ref.func 2; end) (ref.func 2; end) (ref.func 6; end))
  (elem declarative (ref.func 0; end) (ref.func 1; end) (ref.func 2; end) (ref.func 3; end) (ref.func 4; end) (ref.func 5; end) (ref.func 6; end))
  (data active (offset i64.const 182; end) "\21\49\45\ca\f5\47\11\00\e5\1c\b5\f5\6c\e9\67\17\a0\28\e7\9b\b7\87\11\f5\5b\8b\21\59\38\55\34\7c\cb\d2\b6\1c\0c\f6\07\d9\66\a0\68\60\0a\7a\ba\54\c8\62\18\cf\6c\72\c3\9a\37\4f\6e\6a\26\b8\c7\90\e8\39\2a\9a\32\4a\0b\a9\20\0d\34\17\1e\b1\ea\e0\d0\cd\90\d6\3c\64\10\59\0e\1c\e4\bc\87\9d\b3\ae\d8\d8\77\d1\50\1f\21\7e\56\6f\ae\5e\3d\ac\7b\86\65\8d\99\58\27\f1\53\83\29\d0\8c\15")
  (data passive "\3e\46\39\19\90\b0\ab")
)
