(module
  (type 0 (sub  (struct (mut i32) (mut i64))))
  (type 1 (sub final 0 (struct (mut i32) (mut i64) i8)))
  (type 2 (array (mut i16)))
  (type 3 [i32 i32] -> [i32])
  (type 4 [i64 i64] -> [i64])
  (type 5 [i32] -> [i32])
  (type 6 [] -> [])
  (type 7 [f32] -> [])
  (type 8 [(ref null extern) (ref null any)] -> [])
  (type 9 [i32] -> [(ref null extern)])
  (type 10 [] -> [f32 (ref null exn)])
  (type 11 [i64] -> [])
  (type 12 [i32] -> [])
  (type 13 [(ref null any) i64] -> [])
  (type 14 [] -> [(ref null eq)])
  (type 15 [] -> [(ref null func)])
  (type 16 [] -> [i32])
  (memory 14046 14053 (pagesize 1))
  (memory 1 2)
  (global 0 (mut i32) (i32.const 203; end))
  (global 1 (mut i64) (i64.const -4373575108112587540; end))
  (func 0 (type 5) ;; [i32] -> [i32]
    (local i32 i64 f32 f64 (ref null eq) f64 f64)
    f32.const 0
    f32.const 0
    f32.le
    block (type 9)
      local.get 1
      i32.store8 memory=0 offset=5 align=1
      block (type 10)
        try_table (result (ref null extern))
          f32.const 0
          i64.const 0
          i32.const 0
          local.get 0
          if (type 12)
            block (result (ref null any))
              throw 0
            end
            global.get 1
            try_table (type 13)
              global.set 1
              local.get 0
              global.get 1
              local.get 2
              i32.const 0
              f64.convert_i32_u
              local.get 0
              f64.convert_i32_u
              i32.const 0
              i64.extend_i32_u
              f64.const 0
              i64.reinterpret_f64
              i64.xor
              local.set 2
              i64.reinterpret_f64
              local.set 2
              i64.reinterpret_f64
              i64.xor
              i64.xor
              i32.wrap_i64
              i32.xor
              i64.extend_i32_u
              global.set 1
              drop
            end
            i32.const 0
            i64.extend_i32_u
            global.set 1
            drop
          else
            i64.extend_i32_u
            global.set 1
          end
          i32.wrap_i64
          local.set 1
          i32.reinterpret_f32
          i64.extend_i32_u
          global.set 1
          ref.null extern
        end
        ref.is_null
        f32.convert_i32_s
        ref.null exn
      end
      ref.is_null
      local.set 1
      i32.reinterpret_f32
      i64.extend_i32_u
      global.set 1
      ref.null extern
    end
    ref.is_null
  )
  (func 1 (type 8) ;; [(ref null extern) (ref null any)] -> []
    (local f64 (ref null exn) i32 i64 f32 f64 (ref null eq) f32 f32 f64 f64)
    global.get 0
    i32.eqz
    if
      return
    end
    global.get 0
    i32.const 1
    i32.sub
    global.set 0
    block (result (ref null extern))
      memory.size 0
      if (result (ref null any))
        local.get 2
        block
          try_table (type 15)
            i32.const 0
            i32.const 0
            f64.convert_i32_u
            local.get 7
            i64.reinterpret_f64
            global.set 1
            block
              local.get 4
              call 2
              i64.const 0
              i64.store memory=1 offset=15 align=2
            end
            local.set 7
            local.get 4
            i64.extend_i32_u
            global.set 1
            i64.extend_i32_u
            global.set 1
            ref.null func
          end
          i32.const 0
          f32.convert_i32_s
          memory.size 1
          block
            loop
              global.get 0
              i32.eqz
              if
                return
              end
              global.get 0
              i32.const 1
              i32.sub
              global.set 0
            end
            f64.const 0
            local.get 2
            f64.eq
            i64.extend_i32_u
            global.set 1
          end
          local.set 4
          i32.reinterpret_f32
          i64.extend_i32_u
          global.set 1
          drop
        end
        i64.reinterpret_f64
        global.set 1
        i32.const 0
        i64.const 0
        struct.new 0
      else
        i32.const 0
        i64.const 0
        struct.new 0
      end
      drop
      ref.null extern
    end
    drop
  )
  (func 2 (type 6) ;; [] -> []
  )
  (export "mem" (memory 0))
  (export "mem1" (memory 1))
  (export "t0" (tag 0))
  (export "t1" (tag 1))
  (export "f1" (function 4))
  (export "callback" (function 3))
  (export "__reset_fuel" (function 5))
  (export "g1" (global 1))
  (elem declarative (ref.func 0; end) (ref.func 1; end) (ref.func 2; end) (ref.func 3; end) (ref.func 4; end))
  (data active (offset i32.const 13983; end) "\1f\79\78\e6\33\5e\df\c8\b0\41\13\4c\99\5a\91\87\35\8c\db\36\55\46\93\b2\0d\21\63\ff\45\78\0b\cd\19\7d\0c\44\02\a8\b2\c0\8d\e9\f4\e4\af\f4\b8\6e\37\ce\89\c1\13\e9\e8\d9\e5\c6\d9\12\fa\e0\82")
  (data passive "\45\32\1c\4e\4d\84\8d\d9\1a\a8\6c\52\af\03\18\68\f4\c7\77\ee\4a\ba\30")
  (data active (offset i32.const 310; end) "\33\5e\3c\cf\9f\c5\ad\67\bb\ae\69\c1\9c\20\e9\49\fb\e7\f8\40\7b\86")
)
