;; Dense n×n f64 matrix multiply C = A·B with A[i][j] = i+j and B[i][j] = i-j; returns the sum of C.
;; Floating-point arithmetic with nested loops and address arithmetic.
(module
  (memory 64)
  (func (export "matmul") (param $n i32) (result f64)
    (local $i i32) (local $j i32) (local $k i32) (local $acc f64) (local $sum f64)
    (local $a i32) (local $b i32) (local $c i32)
    (local.set $b (i32.mul (i32.mul (local.get $n) (local.get $n)) (i32.const 8)))
    (local.set $c (i32.mul (local.get $b) (i32.const 2)))
    ;; fill A and B
    (loop $fi
      (local.set $j (i32.const 0))
      (loop $fj
        (f64.store (i32.mul (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 8))
          (f64.convert_i32_s (i32.add (local.get $i) (local.get $j))))
        (f64.store (i32.add (local.get $b) (i32.mul (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 8)))
          (f64.convert_i32_s (i32.sub (local.get $i) (local.get $j))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $fj (i32.lt_s (local.get $j) (local.get $n))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fi (i32.lt_s (local.get $i) (local.get $n))))
    ;; multiply
    (local.set $i (i32.const 0))
    (loop $mi
      (local.set $j (i32.const 0))
      (loop $mj
        (local.set $acc (f64.const 0))
        (local.set $k (i32.const 0))
        (loop $mk
          (local.set $acc (f64.add (local.get $acc)
            (f64.mul
              (f64.load (i32.mul (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $k)) (i32.const 8)))
              (f64.load (i32.add (local.get $b) (i32.mul (i32.add (i32.mul (local.get $k) (local.get $n)) (local.get $j)) (i32.const 8)))))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $mk (i32.lt_s (local.get $k) (local.get $n))))
        (f64.store (i32.add (local.get $c) (i32.mul (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 8))) (local.get $acc))
        (local.set $sum (f64.add (local.get $sum) (local.get $acc)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $mj (i32.lt_s (local.get $j) (local.get $n))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $mi (i32.lt_s (local.get $i) (local.get $n))))
    (local.get $sum)))
