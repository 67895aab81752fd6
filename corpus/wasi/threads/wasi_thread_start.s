# The wasi-threads entry point: the host calls wasi_thread_start(thread id, start argument) in a new instance.
# Before any C code runs, the instance's own __stack_pointer must point into the thread's stack: C cannot set a
# global, so this is assembly. The start argument is a struct wasi_thread whose first field is the stack top.
	.text
	.globaltype __stack_pointer, i32
	.functype wasi_pthread_main (i32, i32) -> ()
	.export_name wasi_thread_start, wasi_thread_start
	.globl wasi_thread_start
	.type wasi_thread_start,@function
wasi_thread_start:
	.functype wasi_thread_start (i32, i32) -> ()
	local.get 1
	i32.load 0
	global.set __stack_pointer
	local.get 0
	local.get 1
	call wasi_pthread_main
	end_function
