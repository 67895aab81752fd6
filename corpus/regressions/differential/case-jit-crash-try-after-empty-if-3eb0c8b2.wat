(module
  (type 0 (sub  (struct (mut i32) (mut i64))))
  (type 1 (sub final 0 (struct (mut i32) (mut i64) i32)))
  (type 2 (array (mut i32)))
  (type 3 [(ref null extern) i64] -> [])
  (type 4 [] -> [])
  (type 5 [] -> [i32])
  (type 6 [i32 i64] -> [(ref null func) i32])
  (type 7 [i32 i64] -> [(ref null exn)])
  (type 8 [] -> [(ref null extern) (ref null exn)])
  (type 9 [(ref null exn)] -> [i64 (ref null exn)])
  (type 10 [(ref null exn)] -> [(ref null exn) (ref null exn)])
  (type 11 [] -> [(ref null exn)])
  (memory 2 4)
  (memory 1 2)
  (table 2 4 (ref null func))
  (global 0 (mut i32) (i32.const 395; end))
  (global 1 (mut i64) (i64.const 169; end))
  (global 2 (mut i64) (i64.const 3930876564718255876; end))
  (global 3 i32 (i32.const 182; end))
  (global 4 (mut (ref null func)) (ref.null func; end))
  (global 5 (mut (ref null func)) (ref.null func; end))
  (func 0 (type 4) ;; [] -> []
    (local i32 i64 (ref null eq))
    global.get 0
    i32.eqz
    if
      return
    end
    global.get 0
    i32.const 1
    i32.sub
    global.set 0
    i32.const -1485825906
    i32.ctz
    i32.ctz
    local.tee 0
    local.get 0
    i64.extend_i32_u
    global.get 1
    i64.const 5
    i64.rotl
    i64.xor
    global.set 1
    i32.ctz
    local.tee 0
    local.get 0
    i64.extend_i32_u
    global.get 1
    i64.const 5
    i64.rotl
    i64.xor
    global.set 1
    i32.ctz
    ref.null func
    try_table (result (ref null func)) (catch_all 0)
      i32.const 1922625230
      i32.const 65873
      i32.div_u
      i64.const -2768273011033672682
      i32.const 32
      i32.const 31
      i32.div_u
      i64.extend_i32_u
      i64.xor
      local.tee 1
      i64.const 32
      i64.shr_u
      local.get 1
      i64.xor
      i32.wrap_i64
      i32.xor
      i64.extend_i32_u
      global.get 1
      i64.const 5
      i64.rotl
      i64.xor
      global.set 1
      ref.null func
    end
    global.get 5
    try_table
      loop (type 5)
        global.get 0
        i32.eqz
        if
          return
        end
        global.get 0
        i32.const 1
        i32.sub
        global.set 0
        i32.const -1
        i32.ctz
        i32.const -1
        i32.ctz
        local.tee 0
        local.get 0
        i64.extend_i32_u
        global.get 1
        i64.const 5
        i64.rotl
        i64.xor
        global.set 1
        global.get 4
        try_table
          i32.const -81686401
          i32.ctz
          ref.null extern
          global.get 2
          global.set 2
          i32.const 43256
          i32.ctz
          i32.const 0
          i64.const 7109195581319818673
          local.tee 1
          i64.const 32
          i64.shr_u
          local.get 1
          i64.xor
          i32.wrap_i64
          local.tee 0
          local.get 0
          i64.extend_i32_u
          global.get 1
          i64.const 5
          i64.rotl
          i64.xor
          global.set 1
          i32.ctz
          i64.load32_u memory=0 offset=20 align=4
          local.tee 1
          local.get 1
          global.get 1
          i64.const 5
          i64.rotl
          i64.xor
          global.set 1
          block (type 6)
            loop (type 7)
              global.get 0
              i32.eqz
              if
                return
              end
              global.get 0
              i32.const 1
              i32.sub
              global.set 0
              i32.const 24456
              i32.const 32
              i32.const 0
              i32.div_u
              ref.null func
              i32.const -2
              i32.ctz
              i32.ctz
              i32.ctz
              i32.ctz
              i32.const 31
              i32.ctz
              local.tee 0
              local.get 0
              i64.extend_i32_u
              global.get 1
              i64.const 5
              i64.rotl
              i64.xor
              global.set 1
              local.set 0
              i32.const 65535
              i32.and
              local.get 0
              i32.store memory=0 offset=13 align=2
              i32.const 86
              i32.const -2
              i32.div_u
              global.get 4
              i32.const 118
              i32.ctz
              br 4
            end
            i32.const 437600905
            i32.const 156
            i32.div_u
            ref.null func
            return
          end
          i32.ctz
          i64.extend_i32_u
          global.get 1
          i64.const 5
          i64.rotl
          i64.xor
          global.set 1
          ref.is_null
          i32.xor
          local.tee 0
          local.get 0
          i64.extend_i32_u
          global.get 1
          i64.const 5
          i64.rotl
          i64.xor
          global.set 1
          i64.extend_i32_u
          global.get 1
          i64.const 5
          i64.rotl
          i64.xor
          global.set 1
          ref.is_null
          i32.xor
          i64.extend_i32_u
          global.get 1
          i64.const 5
          i64.rotl
          i64.xor
          global.set 1
        end
        return
      end
      if
      end
      try_table (type 4) (catch_all 0)
        try_table
          block (result (ref null exn))
            try_table (catch_all 2)
              return
            end
            try_table (type 4)
              i32.const 7
              i32.const 108
              i32.div_u
              i64.const 30
              local.tee 1
              i64.const 32
              i64.shr_u
              local.get 1
              i64.xor
              i32.wrap_i64
              i32.xor
              local.tee 0
              local.get 0
              i64.extend_i32_u
              global.get 1
              i64.const 5
              i64.rotl
              i64.xor
              global.set 1
              i64.extend_i32_u
              global.get 1
              i64.const 5
              i64.rotl
              i64.xor
              global.set 1
            end
            i32.const 65535
            i32.ctz
            local.tee 0
            local.get 0
            i64.extend_i32_u
            global.get 1
            i64.const 5
            i64.rotl
            i64.xor
            global.set 1
            ref.null extern
            i32.const 6
            i32.const 2147483647
            i32.div_u
            if (type 8)
              i64.const 39
              i32.const 2
              i32.ctz
              br_if 5
              ref.null func
              i32.const -1
              i32.const -2
              i32.div_u
              i32.const 255
              i32.and
              i64.load16_s memory=0 offset=4 align=1
              local.tee 1
              local.get 1
              global.get 1
              i64.const 5
              i64.rotl
              i64.xor
              global.set 1
              global.get 1
              i32.const 65535
              i32.ctz
              br 5
            else
              ref.null extern
              ref.null exn
            end
            throw_ref
          end
          i32.const 14806
          i32.ctz
          br_if 2
          try_table (type 9) (catch_all 0)
            block (type 10)
              ref.null exn
            end
            i32.const 63671
            i32.ctz
            i32.ctz
            i32.const 65535
            i32.and
            i64.load32_u memory=0 offset=29 align=1
            local.tee 1
            local.get 1
            global.get 1
            i64.const 5
            i64.rotl
            i64.xor
            global.set 1
            local.tee 1
            i64.const 32
            i64.shr_u
            local.get 1
            i64.xor
            i32.wrap_i64
            i32.ctz
            i32.ctz
            i32.const -2147483648
            i32.const -1
            i32.div_u
            local.tee 0
            local.get 0
            i64.extend_i32_u
            global.get 1
            i64.const 5
            i64.rotl
            i64.xor
            global.set 1
            i32.const -1
            i32.const 0
            i32.div_u
            local.tee 0
            local.get 0
            i64.extend_i32_u
            global.get 1
            i64.const 5
            i64.rotl
            i64.xor
            global.set 1
            i32.xor
            i32.xor
            i64.extend_i32_u
            global.get 1
            i64.const 5
            i64.rotl
            i64.xor
            global.set 1
            drop
            ref.is_null
            i64.extend_i32_u
            ref.null exn
          end
          return
        end
        br 2
      end
      i32.const 89
      i32.const 366585990
      i32.div_u
      i32.ctz
      i64.const 3863571764157886268
      memory.size 1
      i32.ctz
      i32.const 18
      i32.div_u
      i32.const 2
      br_if 1
      i32.ctz
      return
    end
    block (type 11)
      i32.const 65536
      i32.ctz
      if (type 4)
        i32.const 13
        i32.ctz
        i32.const -2147483648
        i32.const -1
        i32.div_u
        local.tee 0
        local.get 0
        i64.extend_i32_u
        global.get 1
        i64.const 5
        i64.rotl
        i64.xor
        global.set 1
        i32.const -2147483648
        i32.const -2147483648
        i32.div_u
        local.tee 0
        local.get 0
        i64.extend_i32_u
        global.get 1
        i64.const 5
        i64.rotl
        i64.xor
        global.set 1
        br_if 0
        i32.div_u
        i32.ctz
        if (result (ref null extern))
          i32.const 2104195205
          i32.const 44
          i32.div_u
          i32.ctz
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
            try_table (type 4)
              i32.const 1
              i32.ctz
              i32.ctz
              local.tee 0
              local.get 0
              i64.extend_i32_u
              global.get 1
              i64.const 5
              i64.rotl
              i64.xor
              global.set 1
              i32.ctz
              br_if 5
              i32.const 0
              i32.ctz
              i32.ctz
              br_table 5 5 5 5 5
            end
            block (type 4)
              i64.const 227
              global.get 1
              i64.const 5
              i64.rotl
              i64.xor
              global.set 1
            end
            i32.const -1563854646
            i32.ctz
            i32.ctz
            br_if 4
            i32.const 32767
            i32.const -20582257
            i32.div_u
            i32.const 237
            i32.div_u
            local.tee 0
            local.get 0
            i64.extend_i32_u
            global.get 1
            i64.const 5
            i64.rotl
            i64.xor
            global.set 1
            br_if 2
            loop (result (ref null extern))
              global.get 0
              i32.eqz
              if
                return
              end
              global.get 0
              i32.const 1
              i32.sub
              global.set 0
              i32.const 255
              i32.ctz
              local.tee 0
              local.get 0
              i64.extend_i32_u
              global.get 1
              i64.const 5
              i64.rotl
              i64.xor
              global.set 1
              i32.ctz
              local.tee 0
              local.get 0
              i64.extend_i32_u
              global.get 1
              i64.const 5
              i64.rotl
              i64.xor
              global.set 1
              i32.ctz
              br_if 3
              ref.null extern
            end
            drop
          end
          i64.extend_i32_u
          global.get 1
          i64.const 5
          i64.rotl
          i64.xor
          global.set 1
          ref.null extern
        else
          ref.null extern
        end
        drop
      end
      ref.null exn
    end
    drop
    drop
    drop
    ref.is_null
    i32.xor
    i64.extend_i32_u
    global.get 1
    i64.const 5
    i64.rotl
    i64.xor
    global.set 1
  )
  (func 1 (type 4) ;; [] -> []
    i32.const 395
    global.set 0
  )
  (export "mem" (memory 0))
  (export "mem1" (memory 1))
  (export "t0" (tag 0))
  (export "table" (table 0))
  (export "f0" (function 0))
  (export "__reset_fuel" (function 1))
  (export "g1" (global 1))
  (export "g2" (global 2))
  (export "g3" (global 3))
  (export "g4" (global 4))
  (export "g5" (global 5))
  (elem active (offset i32.const 0; end) (ref.null func; end))
  (elem declarative (ref.func 0; end))
  (data active (offset i32.const 618; end) "\6a\24\2a\8e\a6\6e\91\a0\f3\c5\f1\9c\58\63\8f\94\6a\1a\cb\ae\7b")
  (data active (offset i32.const 494; end) "\ef\54\bc\18\91\0d\3f\f3\e7\11\5e\9c\80\24\ca\fd\a6\10\cb\8a\97\3c\a1\f7\87\93\8a\99")
)
