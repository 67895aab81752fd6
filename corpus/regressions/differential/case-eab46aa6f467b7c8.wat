(module
  (type 0 [f64] -> [(ref null extern) f32])
  (type 1 [] -> [i32 f32])
  (type 2 [] -> [])
  (memory 2 3)
  (global 0 (mut i32) (i32.const 260; end))
  (func 0 (type 0) ;; [f64] -> [(ref null extern) f32]
    (local i32 i64 f32 f64)
    global.get 0
    i64.extend_i32_u
    i64.const 0
    call 1
    i32.reinterpret_f32
    i64.extend_i32_u
    block (result i64)
      i64.const 0
      i64.eqz
      call 1
      i32.reinterpret_f32
      memory.size 0
      i64.extend_i32_u
      i64.eqz
      i64.extend_i32_u
      i64.const 3820153306278607221
      i64.rotr
      i64.eqz
      i32.store memory=0 offset=3 align=4
      drop
      i64.extend_i32_u
    end
    i64.rotr
    drop
    drop
    i64.rotr
    drop
    ref.null extern
    f32.const 0
  )
  (func 1 (type 1) ;; [] -> [i32 f32]
    (local i32 i64 f32 f64)
    i32.const 0
    f32.const 0
  )
  (func 2 (type 2) ;; [] -> []
  )
  (export "mem" (memory 0))
  (export "f0" (function 0))
  (export "__reset_fuel" (function 2))
  (elem declarative (ref.func 0; end) (ref.func 1; end))
  (data active (offset i32.const 465; end) "\e1\7f\52\65\7b\a4\57\e0\6b\5e\38\40\3a\1c\13\b1\34\20\71\19\5f\f7\28\e3\4e\7b\69\d2\b7\49\c5\13\6b\1a\11\6e\49\81\f3\15")
  (data passive "\e6\2a\cf\17\56\c5\be\ee\67\ea\57\6f\16\00\3a\84\29\21\98\25")
)
