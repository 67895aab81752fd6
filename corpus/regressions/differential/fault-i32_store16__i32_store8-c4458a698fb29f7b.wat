(module
  (type 0 [i64] -> [])
  (type 1 [i64] -> [f64])
  (type 2 [i32] -> [f32])
  (type 3 [] -> [])
  (memory 2 4)
  (table 5 6 (ref null func))
  (global 0 (mut i32) (i32.const 321; end))
  (global 1 i64 (i64.const -2420106230711252786; end))
  (global 2 (mut i64) (i64.const 63; end))
  (func 0 (type 0) ;; [i64] -> []
    (local (ref null func) i32 i64 f32 f64 v128)
    v128.const 0x00000000000000000000000000000000
    block
      local.get 0
      i64.const 0
      i64.ne
      if (result (ref null extern))
        block (result f64)
          block (result v128)
            v128.const 0x00000000000000000000000000000000
            i32x4.all_true
            i32.const 1023
            i32.store16 memory=0 offset=16 align=2
            br 4
          end
          return
        end
        unreachable
      else
        ref.null extern
      end
      br 1
    end
    block (result v128)
      v128.const 0x00000000000000000000000000000000
    end
    memory.size 0
    i64.const 0
    i32.wrap_i64
    i32.xor
    i32x4.splat
    v128.xor
    v128.xor
    drop
  )
  (func 1 (type 1) ;; [i64] -> [f64]
    (local f32 i32 i64 f32 f64 v128)
    f64.const 0
  )
  (func 2 (type 2) ;; [i32] -> [f32]
    (local (ref null extern) i32 i64 f32 f64 v128)
    f32.const 0
  )
  (func 3 (type 3) ;; [] -> []
    (local i64 (ref null func) i32 i64 f32 f64 v128)
  )
  (func 4 (type 3) ;; [] -> []
  )
  (export "mem" (memory 0))
  (export "table" (table 0))
  (export "f0" (function 0))
  (export "__reset_fuel" (function 4))
  (export "g1" (global 1))
  (export "g2" (global 2))
  (elem active (offset i32.const 0; end) (ref.null func; end) (ref.func 2; end) (ref.func 1; end) (ref.func 1; end))
  (elem declarative (ref.func 0; end) (ref.func 1; end) (ref.func 2; end) (ref.func 3; end))
  (data active (offset i32.const 65471; end) "\75\43\8c\f6\2e\c4\57\36\d5\51\81\e6\89\bf\e8\89\96\be\35\c6\ac\57\57\d5\9a\43\33\b8\fb\be\26\71\e8\5a\bf\5f\88\09\48\88\4f\9d\e7\99\eb\e3\28\38\82\68\3d\47\7c\33\33\1e\eb\b7\5b\eb\90\9f\3b\16\2b")
)
