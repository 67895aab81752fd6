(module
  (type 0 [i64] -> [])
  (type 1 [f32 f64 i32 f64] -> [f32])
  (type 2 [i32 f64 i32] -> [f32 i32])
  (type 3 [] -> [])
  (type 4 [f64] -> [f32 i64])
  (type 5 [i64] -> [f32 i32])
  (type 6 [i32] -> [])
  (type 7 [f32] -> [f32 i32])
  (type 8 [] -> [f64 f32])
  (type 9 [] -> [i32])
  (memory 1 2)
  (table 4 8 (ref null func))
  (global 0 (mut i32) (i32.const 32; end))
  (global 1 f32 (f32.const -2.1474836E+09; end))
  (global 2 (mut f64) (f64.const 5E-324; end))
  (global 3 (mut i32) (i32.const -1396859011; end))
  (global 4 f32 (f32.const -5.0113307E-22; end))
  (func 0 (type 0) ;; [i64] -> []
    (local i32 i32 i64 f32 f64)
  )
  (func 1 (type 1) ;; [f32 f64 i32 f64] -> [f32]
    (local i32 f64 i64 i32 i64 f32 f64)
    f32.const 0
  )
  (func 2 (type 2) ;; [i32 f64 i32] -> [f32 i32]
    (local i32 i64 i32 i32 i64 f32 f64)
    memory.size 0
    loop (type 9)
      local.get 5
      global.get 4
      data.drop 1
      i32.reinterpret_f32
      i32.const 62
      i32.rotr
      i32.lt_u
    end
    i32.xor
    f32.convert_i32_s
    i32.const 0
  )
  (func 3 (type 3) ;; [] -> []
  )
  (export "mem" (memory 0))
  (export "table" (table 0))
  (export "f2" (function 2))
  (export "__reset_fuel" (function 3))
  (export "g1" (global 1))
  (export "g2" (global 2))
  (export "g3" (global 3))
  (export "g4" (global 4))
  (elem active (offset i32.const 0; end) )
  (data active (offset i32.const 588; end) "\c6\0e\9f\93\dc\35\b0\2c\1d\a1\7d\b3\a9\fb\07\33\6a\5d\1b\fc\cd\ba\ad\a7\82\23\b4\1a\b9\92\70\36\b4\73\86\a3\05\20\15\fa\a4\72\33\69\e4\39\89\44\de\a2\ee\05\b6\03\b4\0b\60\f7\11\b9\80\95\73\8b\30\47\fe\36\75\64\2e\49\48\20\58\5a\87\44\c3\49\99\70\3c\16\a4\6b\7f\b1\bf\7b\43\0e\0f\5b\79\0e\ff\a7\38\9c\3a\53\cf\79\74\a4\bd\95\ab\5a\83\1b\33\c8\20\10\59\5d\e7\c5\c7\4d\77\fa\21\20\3a\ec\a6\49")
  (data passive "\a0\c2\a1\00\ae\ea")
)
