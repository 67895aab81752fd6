(module
  (type 0 [i32 i32] -> [i32])
  (type 1 [i64 i64] -> [i64])
  (type 2 [i32] -> [i32])
  (type 3 [i32 v128] -> [])
  (type 4 [f32 v128] -> [])
  (type 5 [i64] -> [f64 i64])
  (type 6 [] -> [])
  (type 7 [(ref null func) f64] -> [])
  (type 8 [f64] -> [])
  (type 9 [i64] -> [v128])
  (type 10 [f32 f32] -> [i64])
  (memory 2 4)
  (memory 1 2)
  (global 0 (mut i32) (i32.const 84; end))
  (global 1 (mut i64) (i64.const 0; end))
  (global 2 (mut f32) (f32.const 0; end))
  (func 0 (type 2) ;; [i32] -> [i32]
    (local (ref null extern) f64 i32 i64 f32 f64 v128 i32 i64)
    global.get 0
    i32.eqz
    if
      i32.const 0
      return
    end
    global.get 0
    i32.const 1
    i32.sub
    global.set 0
    i64.const 0
    call 4
    ref.null func
    i32.const 0
    ref.func 2
    call_ref 2
    i64.extend_i32_s
    global.set 1
    local.get 2
    i32.const 0
    ref.null 2
    call_ref 2
    if (type 7)
      block (type 8)
        local.set 2
        loop (result f32)
          global.get 0
          i32.eqz
          if
            i32.const 0
            return
          end
          global.get 0
          i32.const 1
          i32.sub
          global.set 0
          f32.const 0
        end
        global.set 2
      end
      i32.const 0
      block (result i32)
        i32.const 0
        i16x8.splat
        global.get 2
        i32.reinterpret_f32
        i64.extend_i32_u
        global.set 1
        loop
          global.get 0
          i32.eqz
          if
            i32.const 0
            return
          end
          global.get 0
          i32.const 1
          i32.sub
          global.set 0
          i32.const 0
          memory.size 1
          ref.func 4
          call_ref 5
          call 4
          global.get 2
          i64.trunc_f32_u
          i64.xor
          local.set 4
          i64.reinterpret_f64
          local.set 4
          i64.reinterpret_f64
          i32.wrap_i64
          i32.xor
          i64.extend_i32_u
          global.set 1
        end
        i64x2.extract_lane 0
        i32.wrap_i64
      end
      i32.xor
      i64.extend_i32_u
      global.set 1
      drop
    else
      i64.reinterpret_f64
      global.set 1
      drop
    end
    local.set 4
    i64.reinterpret_f64
    i32.wrap_i64
  )
  (func 1 (type 5) ;; [i64] -> [f64 i64]
    (local i32 i64 f32 f64 v128 i32 i64)
    f64.const 0
    i64.const 0
  )
  (func 2 (type 6) ;; [] -> []
  )
  (export "mem" (memory 0))
  (export "mem1" (memory 1))
  (export "f0" (function 3))
  (export "__reset_fuel" (function 5))
  (export "g1" (global 1))
  (export "g2" (global 2))
  (elem declarative (ref.func 0; end) (ref.func 1; end) (ref.func 2; end) (ref.func 3; end) (ref.func 4; end))
  (data active (offset i64.const 131034; end) "\a0\5d\59\77\b2\46\ef\75\65\85\72\b4\fa\7c\ad\09\58\4a\8f\c7\7d\40\6b\28\ef\e7\a6\f0\94\1c\32\1c\65\9c\16\01\d4\84")
  (data passive "\58")
  (data active (offset i64.const 345; end) "\08\4b\b8\a9\10\8e\0a\21\3b\7e\1c\0b\a8\60\f2\31\87\cb\a0\fe\e1\48\53\55\4f\5d\65\ab\35\d4\a1\ae\6f\48\37\20\6f\45\d6\17\e6\72\e1\b3\00\59\f4\b6\0f\a2\fc\dc\40")
)
