// Test target for semgrep-rules/access_control/typescript.yml (parsed only, never run).
import { Controller, Delete, Get, Module, Param, UseGuards } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ThrottlerGuard } from '@nestjs/throttler';

// ruleid: vibeward.typescript.access_control.nest-use-guards
@UseGuards(JwtAuthGuard, RolesGuard)
@Controller('admin')
export class AdminController {
  // ruleid: vibeward.typescript.access_control.nest-roles-decorator
  @Roles(Role.Admin)
  @Get('dashboard')
  dashboard() {
    return { ok: true };
  }
}

@Controller('orders')
export class OrdersController {
  // ruleid: vibeward.typescript.access_control.nest-use-guards
  @UseGuards(AuthGuard('jwt'))
  @Delete(':id')
  remove(@Param('id') id: string) {
    return id;
  }

  // ok: vibeward.typescript.access_control.nest-use-guards
  @UseGuards(ThrottlerGuard)
  @Get('public')
  list() {
    return [];
  }
}

@Module({
  providers: [
    // ruleid: vibeward.typescript.access_control.nest-global-guard
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    // ok: vibeward.typescript.access_control.nest-global-guard
    { provide: APP_GUARD, useClass: ThrottlerGuard },
  ],
})
export class AppModule {}
