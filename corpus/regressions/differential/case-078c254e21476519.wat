(module
  (type 0 [] -> [])
  (type 1 [i32] -> [])
  (type 2 [(ref null func)] -> [i64])
  (type 3 [] -> [i32 (ref null func)])
  (type 4 [i64] -> [])
  (type 5 [f64 i32] -> [i32])
  (type 6 [f64] -> [f64 i64])
  (type 7 [(ref null func)] -> [(ref null extern) i32])
  (memory 2 2)
  (memory 1 2)
  (global 0 (mut i32) (i32.const 324; end))
  (global 1 (mut i64) (i64.const 0; end))
  (global 2 i32 (i32.const 0; end))
  (global 3 (ref null func) (ref.null func; end))
  (func 0 (type 2) ;; [(ref null func)] -> [i64]
    (local i32 i32 i64 f32 f64 i32 i64)
    global.get 0
    i32.eqz
    if
      i64.const 0
      return
    end
    global.get 0
    i32.const 1
    i32.sub
    global.set 0
    i32.const 0
    i64.extend_i32_u
    block (result f32)
      loop (type 3)
        global.get 0
        i32.eqz
        if
          i64.const 0
          return
        end
        global.get 0
        i32.const 1
        i32.sub
        global.set 0
        i32.const 0
        ref.null func
      end
      local.get 1
      i64.extend_i32_u
      global.get 1
      i64.xor
      global.set 1
      drop
      i64.extend_i32_u
      i32.const 0
      i64.const 0
      memory.atomic.wait32 memory=0 offset=12 align=4
      i64.extend_i32_u
      global.set 1
      f32.const 0
    end
    f64.const 0
    f64.const 0
    f64.eq
    loop (result (ref null func))
      global.get 0
      i32.eqz
      if
        i64.const 0
        return
      end
      global.get 0
      i32.const 1
      i32.sub
      global.set 0
      f64.const 0
      f64.const 0
      f64.eq
      throw 1
    end
    f64.const 0
    i32.const 0
    try_table 0
      i64.extend_i32_u
      global.get 1
      i64.xor
      global.set 1
      try_table 0
        i64.const 0
      end
      local.set 3
      i64.reinterpret_f64
      i32.wrap_i64
    end
    i32.const 0
    loop
      global.get 0
      i32.eqz
      if
        i64.const 0
        return
      end
      global.get 0
      i32.const 1
      i32.sub
      global.set 0
      i32.const 0
      i64.extend_i32_u
      global.get 1
      i64.xor
      global.set 1
      local.get 0
      loop (type 7)
        global.get 0
        i32.eqz
        if
          i64.const 0
          return
        end
        global.get 0
        i32.const 1
        i32.sub
        global.set 0
        drop
        ref.null extern
        i32.const 0
      end
      i64.extend_i32_u
      global.get 1
      i64.xor
      global.set 1
      drop
    end
    i32.xor
    i64.extend_i32_u
    global.get 1
    i64.xor
    global.set 1
    ref.is_null
    i32.xor
    local.set 2
    i32.reinterpret_f32
    i64.extend_i32_u
    i64.xor
  )
  (func 1 (type 0) ;; [] -> []
  )
  (export "mem" (memory 0))
  (export "mem1" (memory 1))
  (export "f0" (function 0))
  (export "__reset_fuel" (function 1))
  (export "g1" (global 1))
  (export "g2" (global 2))
  (export "g3" (global 3))
  (elem declarative (ref.func 0; end))
  (data active (offset i64.const 207; end) "\86\2f\f9\c9\56\7e\76\c7\01\88\6d\ac\e8\38\62\db\0b\86\7a\aa\83\ca\4e\da\53\87\02\c5\e7\ad\af\4a\9e\37\35\31\31\b8\04\5e\22\4e\b3\1a\90\15\9b\b5\a9\7e\5a\73\bc\92\06\bb\e0\1f\75\ce\7b\b1\df\53\d9\22\0d\b1\02\31\aa\52\82\1c\88\34\17\34\49\3e\eb\4d\1b\69\53\3c\8d\0b\30\7a\50\11\42\35\e2\70\6f\5f\41\6e\07\e9\b3\78\d4\07\f0\a0\0a\d2\a4\ac\d5\37\e3\2e\95\75\00\9c\94\02\81\88\e0\98\0f\4d\39\17\c4\b7\f2\db\37\01\9a\a2")
  (data passive "\d6\a4\3c\0b\52\b4\da\fa\5f\a4\d9\04\68\2a\98\3b\f7\a2\67\f3\0e\ec\b9\f9\ff\e1\94\f3\e0\b4")
  (data active (offset i64.const 345; end) "\a7\01\23\b2\3b\5c\04\fb\85\3c\c9\58\4e\02\33\99\6f\0a")
)
