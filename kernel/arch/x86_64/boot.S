// From GRUB to C++: the Multiboot2 header, the 32-bit entry, the switch to
// long mode and the jump into the higher half.
//
// GRUB enters axl_boot32 in 32-bit protected mode, paging off, with the
// Multiboot2 magic in eax and the physical address of its boot information in
// ebx (BIOS and UEFI alike: the header asks for no EFI entry). The early page
// tables map the first 1 GiB twice, at 0 (for the instructions that turn
// paging on) and at KERNEL_VMA (where the kernel is linked); kernel_main
// replaces them with the final tables (address_space.cc).

#define KERNEL_VMA 0xFFFFFFFF80000000
#define MULTIBOOT2_MAGIC 0xE85250D6
#define MULTIBOOT2_ARCH_I386 0

    .section .multiboot2, "a"
    .balign 8
multiboot2_header:
    .long MULTIBOOT2_MAGIC
    .long MULTIBOOT2_ARCH_I386
    .long multiboot2_header_end - multiboot2_header
    .long -(MULTIBOOT2_MAGIC + MULTIBOOT2_ARCH_I386 + (multiboot2_header_end - multiboot2_header))
    // No framebuffer tag: with one, GRUB sets a graphics mode even under
    // BIOS. Without it, BIOS keeps the VGA text mode and UEFI (which has
    // none) hands over its GOP framebuffer; both are described in the boot
    // information and screen.cc draws on either.
    // Modules page-aligned: each is mapped straight into process memory.
    .balign 8
    .short 6, 0
    .long 8
    .balign 8
    .short 0, 0
    .long 8
multiboot2_header_end:

    .section .boot.bss, "aw", @nobits
    .balign 4096
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pdpt_high: .skip 4096
boot_pd:        .skip 4096
boot_stack:     .skip 4096
boot_stack_top:

    .section .boot.data, "aw"
    .balign 8
boot_gdt:
    .quad 0
    .quad 0x00AF9A000000FFFF    // 0x08: 64-bit code, ring 0
    .quad 0x00CF92000000FFFF    // 0x10: data, ring 0
boot_gdt_end:
boot_gdt_pointer:
    .short boot_gdt_end - boot_gdt - 1
    .long boot_gdt
no_long_mode_text:
    .asciz "Axolotl: this CPU has no long mode or no NX bit; halting."

    .section .boot.text, "ax"
    .code32
    .global axl_boot32
axl_boot32:
    cli
    cld
    mov $boot_stack_top, %esp
    mov %eax, boot_magic        // kept for kernel_main
    mov %ebx, boot_information

    // Long mode (CPUID 0x80000001 EDX bit 29) and NX (bit 20) are required.
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    test $(1 << 29), %edx
    jz no_long_mode
    test $(1 << 20), %edx
    jz no_long_mode

    // Early tables: 512 2-MiB pages = the first 1 GiB, at 0 and at KERNEL_VMA.
    mov $boot_pml4, %edi
    xor %eax, %eax
    mov $(4 * 4096 / 4), %ecx
    rep stosl
    movl $(boot_pdpt_low + 0x3), boot_pml4
    movl $(boot_pdpt_high + 0x3), boot_pml4 + 511 * 8
    movl $(boot_pd + 0x3), boot_pdpt_low
    movl $(boot_pd + 0x3), boot_pdpt_high + 510 * 8
    mov $boot_pd, %edi
    mov $0x83, %eax             // present, writable, 2-MiB page
    mov $512, %ecx
1:  mov %eax, (%edi)
    add $0x200000, %eax
    add $8, %edi
    loop 1b

    mov %cr4, %eax
    or $(1 << 5), %eax          // PAE
    mov %eax, %cr4
    mov $boot_pml4, %eax
    mov %eax, %cr3
    mov $0xC0000080, %ecx       // EFER: long mode enable, no-execute enable
    rdmsr
    or $((1 << 8) | (1 << 11)), %eax
    wrmsr
    mov %cr0, %eax
    or $((1 << 31) | (1 << 16)), %eax   // paging; write-protect applies to ring 0 too
    mov %eax, %cr0
    lgdt boot_gdt_pointer
    ljmp $0x08, $boot64

no_long_mode:
    // Say why on the VGA text screen (BIOS) and stop.
    mov $no_long_mode_text, %esi
    mov $0xB8000, %edi
1:  lodsb
    test %al, %al
    jz 2f
    mov $0x4F, %ah
    stosw
    jmp 1b
2:  hlt
    jmp 2b

    .code64
boot64:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %eax, %eax
    mov %ax, %fs
    mov %ax, %gs
    movabs $axl_boot64_high, %rax
    jmp *%rax

    .section .boot.data, "aw"
    .balign 8
    .global boot_magic, boot_information
boot_magic:       .long 0
boot_information: .long 0

    .text
axl_boot64_high:
    // The kernel's .bss (its stack among it) is zeroed here, not trusted to
    // the loader.
    movabs $__bss_start, %rdi
    movabs $__bss_end, %rcx
    sub %rdi, %rcx
    xor %eax, %eax
    rep stosb
    movabs $axl_kernel_stack_top, %rsp
    xor %ebp, %ebp
    mov boot_magic, %edi
    mov boot_information, %esi
    call axl_kernel_main
3:  cli
    hlt
    jmp 3b

    .section .note.GNU-stack, "", @progbits
